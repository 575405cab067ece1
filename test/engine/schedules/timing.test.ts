import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  checkCron,
  checkTimeZone,
  nextCronRun,
  nextIntervalSlot,
  previewRuns,
} from '../../../electron/engine/schedules/timing.ts';
import { renderFilename, checkTemplate } from '../../../electron/engine/schedules/template.ts';

const t = Date.parse;
const NY = 'America/New_York';

function runs(cron: string, tz: string, from: string, n: number): string[] {
  const out: string[] = [];
  let at = t(from);
  for (let i = 0; i < n; i++) {
    at = nextCronRun(cron, tz, at)!;
    out.push(new Date(at).toISOString());
  }
  return out;
}

describe('cron timing in a time zone', () => {
  it('keeps 9 a.m. local across the March change (UTC hour moves from 14 to 13)', () => {
    expect(runs('0 9 * * *', NY, '2026-03-07T00:00:00Z', 3)).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('runs a 2:30 a.m. job once at 3:00 EDT on the day 2:30 does not exist', () => {
    expect(runs('30 2 * * *', NY, '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('runs a 1:30 a.m. job once, not twice, on the November night 1:30 happens twice', () => {
    expect(runs('30 1 * * *', NY, '2026-10-31T12:00:00Z', 3)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
      '2026-11-03T06:30:00.000Z',
    ]);
  });

  it('keeps 9 a.m. local across the November change (UTC hour moves from 13 to 14)', () => {
    expect(runs('0 9 * * *', NY, '2026-10-31T00:00:00Z', 2)).toEqual([
      '2026-10-31T13:00:00.000Z',
      '2026-11-01T14:00:00.000Z',
    ]);
  });

  it('gives the next occurrence strictly after now, even when now is an occurrence', () => {
    expect(nextCronRun('0 9 * * *', 'UTC', t('2026-03-07T09:00:00Z'))).toBe(
      t('2026-03-08T09:00:00Z'),
    );
  });

  it('refuses bad expressions, crons that never fire and unknown zones, naming the field', () => {
    expect(() => checkCron('61 * * * *', 'UTC', 0)).toThrow(/cron "61 \* \* \* \*" is invalid/);
    expect(() => checkCron('0 0 30 2 *', 'UTC', 0)).toThrow(/never fires/);
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(/timezone "Mars\/Olympus"/);
    expect(checkTimeZone('america/new_york')).toBe(NY);
  });
});

describe('interval slots', () => {
  it('stays on the grid anchored at the planned time and skips slots missed while away', () => {
    const planned = t('2026-03-01T00:00:00Z');
    expect(nextIntervalSlot(planned, 3600, planned - 1)).toBe(planned);
    expect(nextIntervalSlot(planned, 3600, planned)).toBe(planned + 3600_000);
    // Woke 3 days and 20 minutes later: the next slot is the next hour on the grid, not 72 runs.
    expect(nextIntervalSlot(planned, 3600, planned + 72 * 3600_000 + 20 * 60_000)).toBe(
      planned + 73 * 3600_000,
    );
  });

  it('counts elapsed time, so an hourly interval stays hourly in UTC across a DST change', () => {
    const p = previewRuns({ every_seconds: 3600, timezone: NY }, 4, t('2026-03-08T05:30:00Z'));
    expect(p.runs.map((r) => r.at)).toEqual([
      '2026-03-08T06:30:00.000Z',
      '2026-03-08T07:30:00.000Z',
      '2026-03-08T08:30:00.000Z',
      '2026-03-08T09:30:00.000Z',
    ]);
    // 1:30 EST, then 3:30 EDT: the hour that does not exist locally is not made up.
    expect(p.runs[0]!.local).toContain('1:30 AM EST');
    expect(p.runs[1]!.local).toContain('3:30 AM EDT');
    expect(p.description).toBe('Every hour, starting one interval after it is saved');
  });
});

describe('previews and backoff', () => {
  it('previews cron runs in plain local words', () => {
    const p = previewRuns({ cron: '0 9 * * 1-5', timezone: NY }, 3, t('2026-03-06T15:00:00Z'));
    expect(p.runs.map((r) => r.local)).toEqual([
      'Mon, Mar 9, 2026, 9:00 AM EDT',
      'Tue, Mar 10, 2026, 9:00 AM EDT',
      'Wed, Mar 11, 2026, 9:00 AM EDT',
    ]);
    expect(() => previewRuns({ cron: '* * * * *', every_seconds: 5 }, 3, 0)).toThrow(/exactly one/);
  });

  it('doubles the wait after each failure, up to a cap', () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffMs(50)).toBe(3_600_000);
  });
});

describe('file-name templates', () => {
  const base = {
    name: 'Texas leads',
    schedule: 'daily/TX',
    at: t('2026-03-08T07:05:09Z'),
    timezone: NY,
    n: 7,
    format: 'csv',
    compression: 'gzip',
    decompress: false,
  };

  it('fills every placeholder with local date and time and adds the extension', () => {
    expect(renderFilename('{name} {date} {time} {schedule} #{n}', base)).toBe(
      'Texas leads 2026-03-08 03-05-09 daily-TX #7.csv.gz',
    );
    expect(renderFilename('{schedule}-{n}', { ...base, decompress: true })).toBe('daily-TX-7.csv');
    expect(renderFilename('out.jsonl', { ...base, format: 'jsonl', compression: 'none' })).toBe(
      'out.jsonl',
    );
  });

  it('never yields a hidden, empty or path-like name', () => {
    expect(renderFilename('..{name}', { ...base, name: '../../etc/passwd' })).toBe(
      '-..-etc-passwd.csv.gz',
    );
    expect(renderFilename('{name}', { ...base, name: '' })).toBe('export.csv.gz');
    expect(() => checkTemplate('{nme}.csv')).toThrow(/unknown placeholder \{nme\}/);
    expect(() => checkTemplate('sub/{name}')).toThrow(/not a path/);
  });
});
