import { describe, expect, it } from 'vitest';
import { quietWarn } from '../../electron/engine/logger.ts';
import { recordingLogger as recording } from '../helpers/recording-logger.ts';

describe('quietWarn: a warning that repeats through an outage', () => {
  it('logs the first, then one line per window with how many were left out', () => {
    const { lines, logger } = recording();
    let t = 1_000_000;
    const warn = quietWarn(logger, 'team queue error', 60_000, () => t);
    // An outage: every poll fails, ten times a second for two and a half minutes.
    for (let i = 0; i < 1500; i++, t += 100) warn({ error: `connect ECONNREFUSED (${i})` });
    expect(lines.map((l) => l.msg)).toEqual(Array(3).fill('team queue error'));
    expect(lines[0]!.fields).toEqual({ error: 'connect ECONNREFUSED (0)' });
    expect(lines[1]!.fields).toEqual({
      error: 'connect ECONNREFUSED (600)',
      left_out_since_last_line: 599,
    });
    expect(lines[2]!.fields).toMatchObject({ left_out_since_last_line: 599 });
    // Over: the next error, a quiet hour later, is logged at once, with the outage's tail.
    t += 3_600_000;
    warn({ error: 'again' });
    expect(lines).toHaveLength(4);
    expect(lines[3]!.fields).toEqual({ error: 'again', left_out_since_last_line: 299 });
    warn({ error: 'and again' });
    t += 60_000;
    warn({ error: 'a minute on' });
    expect(lines[4]!.fields).toEqual({ error: 'a minute on', left_out_since_last_line: 1 });
  });

  it('a clock set back does not silence it for longer than one window', () => {
    const { lines, logger } = recording();
    let t = 5_000_000;
    const warn = quietWarn(logger, 'x', 60_000, () => t);
    warn();
    t -= 3_600_000; // an hour back: a window counted on the old time would last an hour more
    warn();
    t += 1_000;
    warn();
    expect(lines).toHaveLength(2);
    expect(lines[1]!.fields).toEqual({});
  });
});
