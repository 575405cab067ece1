// A schedule in plain words: the timetable, the summary line, triggers, changes, the stable file.
import { describe, expect, it } from 'vitest';
import { runSummary } from '../../shared/run-summary.ts';
import type { Export } from '../../shared/schemas/exports.ts';
import type { Schedule, ScheduleRun } from '../../shared/schemas/schedules.ts';
import {
  changesWords,
  incrementalWords,
  cronWords,
  keepFreshWords,
  retainWords,
  scheduleSummary,
  shortRelative,
  stableFileOf,
  timetableWords,
  triggerWords,
} from '../../renderer/src/screens/schedule-words.ts';

const now = Date.parse('2026-03-01T10:00:00Z');
const at = (ms: number) => new Date(now + ms).toISOString();
const H = 3_600_000;

const schedule = (patch: Partial<Schedule>): Schedule =>
  ({
    cron: '0 6 * * *',
    timezone: 'Europe/Paris',
    every_seconds: null,
    enabled: true,
    running_export_id: null,
    last_run_at: at(-2 * H),
    next_run_at: at(21 * H),
    consecutive_failures: 0,
    latest_export: { row_count: 1204, status: 'completed' } as Export,
    keep_fresh: false,
    keep_fresh_margin_seconds: 3600,
    retain: null,
    ...patch,
  }) as Schedule;

const run = (patch: Partial<ScheduleRun>): ScheduleRun => ({
  number: 1,
  trigger: 'timetable',
  status: 'completed',
  export_id: 'e1',
  started_at: at(-H),
  ended_at: at(-H + 5000),
  rows: 10,
  bytes: 100,
  saved_path: '/out/leads.1.csv',
  stable_path: null,
  error: null,
  file_removed: null,
  changes: null,
  since_mark: null,
  high_water_mark: null,
  ...patch,
});

describe('cronWords', () => {
  it('says the common timetables in words', () => {
    expect(cronWords('0 6 * * *')).toBe('every day at 06:00');
    expect(cronWords('30 7 * * 1-5')).toBe('weekdays at 07:30');
    expect(cronWords('15 * * * *')).toBe('every hour at :15');
    expect(cronWords('*/15 * * * *')).toBe('every 15 minutes');
    expect(cronWords('0 9 * * 1')).toBe('every Monday at 09:00');
    expect(cronWords('0 9 * * 7')).toBe('every Sunday at 09:00');
    expect(cronWords('0 0 1 * *')).toBe('on day 1 of every month at 00:00');
    expect(cronWords('0 8 * * 0,6')).toBe('weekends at 08:00');
  });

  it('shows any other expression as itself rather than guessing', () => {
    expect(cronWords('0 6,18 * * *')).toBe('on the cron timetable 0 6,18 * * *');
    expect(cronWords('0 6 * 1 *')).toBe('on the cron timetable 0 6 * 1 *');
    expect(cronWords('0 6 * *')).toBe('on the cron timetable 0 6 * *');
    expect(cronWords('61 6 * * *')).toBe('on the cron timetable 61 6 * * *');
  });
});

describe('scheduleSummary', () => {
  it('reads as one line: timetable with zone, last run with rows, next run', () => {
    expect(scheduleSummary(schedule({}), now)).toBe(
      'Every day at 06:00 Europe/Paris; last run 2 h ago, 1,204 rows; next in 21 h',
    );
  });

  it('says an interval, a schedule that never ran, and a paused one', () => {
    const s = schedule({ cron: null, timezone: null, every_seconds: 900, last_run_at: null });
    expect(scheduleSummary(s, now)).toBe('Every 15 minutes; no run yet; next in 21 h');
    expect(scheduleSummary(schedule({ enabled: false, next_run_at: null }), now)).toBe(
      'Every day at 06:00 Europe/Paris; last run 2 h ago, 1,204 rows; paused',
    );
  });

  it('says a run in progress, failures in a row, and a run that is due now', () => {
    expect(scheduleSummary(schedule({ running_export_id: 'x' }), now)).toContain('running now');
    const failing = schedule({ consecutive_failures: 3, next_run_at: at(-1000) });
    expect(scheduleSummary(failing, now)).toBe(
      'Every day at 06:00 Europe/Paris; last run 2 h ago, failed 3 times; next now',
    );
  });
});

describe('small words', () => {
  it('gives short relative times both ways', () => {
    expect(shortRelative(at(-90_000), now)).toBe('2 min ago');
    expect(shortRelative(at(3 * 86_400_000), now)).toBe('in 3 days');
    expect(shortRelative(at(2000), now)).toBe('just now');
  });

  it('names every trigger, retention and keep-fresh in words', () => {
    expect(triggerWords('keep_fresh')).toBe('Keep fresh');
    expect(triggerWords('catch_up')).toBe('Catch-up after sleep');
    expect(triggerWords('run_now')).toBe('Run now');
    expect(triggerWords('retry')).toBe('Retry after a failure');
    expect(triggerWords('timetable')).toBe('Timetable');
    expect(retainWords(null)).toBe('keeps every run');
    expect(retainWords(3)).toBe('keeps the newest 3 runs');
    expect(keepFreshWords(schedule({}))).toBeNull();
    expect(keepFreshWords(schedule({ keep_fresh: true }))).toBe(
      'keeps the latest link fresh: re-created 1 h before it expires',
    );
    expect(timetableWords(schedule({ cron: null, every_seconds: 86400 }))).toBe('Every day');
  });

  it('says why changes are unknown, and what an incremental schedule exports next', () => {
    expect(
      changesWords({
        added: null,
        removed: null,
        changed: null,
        key: 'id',
        file: null,
        since: 4,
        reason: "run #4's file was removed (retain 3)",
      }),
    ).toBe("unknown: run #4's file was removed (retain 3)");
    expect(incrementalWords(schedule({ incremental_column: null }))).toBe('all rows');
    expect(incrementalWords(schedule({ incremental_column: 'id', high_water_mark: 12040 }))).toBe(
      'only rows since the last run, by id (the next run exports rows above 12,040)',
    );
    expect(
      runSummary(
        run({
          rows: 1204,
          changes: {
            added: 12,
            removed: 3,
            changed: 5,
            key: 'id',
            file: null,
            since: 41,
            reason: null,
          },
        }),
      ),
    ).toBe('1,204 rows; +12 −3 ~5 since #41');
  });

  it('shows changes as +added −removed ~changed, nothing before they exist', () => {
    expect(changesWords(null)).toBeNull();
    expect(
      changesWords({
        added: 1200,
        removed: 8,
        changed: 33,
        key: 'id',
        file: null,
        since: 1,
        reason: null,
      }),
    ).toBe('+1,200 −8 ~33');
  });
});

describe('stableFileOf', () => {
  it('is the newest run that replaced the stable file, skipping newer runs that did not', () => {
    const runs = [
      run({ number: 4, status: 'failed', stable_path: null }),
      run({ number: 3, stable_path: '/out/leads.csv', ended_at: at(-H) }),
      run({ number: 2, stable_path: '/out/leads.csv', ended_at: at(-2 * H) }),
    ];
    expect(stableFileOf(runs)).toEqual({ path: '/out/leads.csv', run: 3, replaced_at: at(-H) });
    expect(stableFileOf([run({})])).toBeNull();
  });
});
