// When a schedule runs: cron occurrences in a time zone (croner), interval slots, backoff, previews.
import { Cron } from 'croner';
import { ApiError } from '../../../shared/errors.ts';
import type { SchedulePreview } from '../../../shared/schemas/schedules.ts';

export interface Timetable {
  readonly cron: string | null;
  readonly every_seconds: number | null;
  readonly timezone: string;
}

/** The first retry waits this long; each further failure doubles it, up to the cap. */
export const BACKOFF_BASE_MS = 30_000;
export const BACKOFF_CAP_MS = 3_600_000;

export function backoffMs(consecutiveFailures: number): number {
  const n = Math.max(1, consecutiveFailures);
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 30));
}

/** The machine's own zone: what a user means by "9 o'clock" when they name none. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function checkTimeZone(tz: string): string {
  try {
    // Intl validates IANA names (and canonicalises their case) the same way croner's conversion does.
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new ApiError(
      'INVALID_REQUEST',
      `timezone "${tz}" is not a known IANA time zone (e.g. "America/New_York", "Europe/Paris", "UTC").`,
      { field: 'timezone' },
    );
  }
}

function cronOf(expr: string, timezone: string): Cron {
  // No callback: croner only computes occurrences here and never starts a timer of its own.
  return new Cron(expr, { timezone, mode: '5-or-6-parts' });
}

/** Parses the expression and proves it fires at least once more; throws INVALID_REQUEST otherwise. */
export function checkCron(expr: string, timezone: string, now: number): void {
  let next: Date | null;
  try {
    next = cronOf(expr, timezone).nextRun(new Date(now));
  } catch (err) {
    throw new ApiError(
      'INVALID_REQUEST',
      `cron "${expr}" is invalid: ${(err as Error).message}. Use five fields (minute hour day month weekday), e.g. "0 9 * * 1-5", or six with seconds first.`,
      { field: 'cron' },
    );
  }
  if (!next)
    throw new ApiError('INVALID_REQUEST', `cron "${expr}" never fires.`, { field: 'cron' });
}

/** The first cron occurrence strictly after `after`, or null when there is none. */
export function nextCronRun(expr: string, timezone: string, after: number): number | null {
  const next = cronOf(expr, timezone).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

/**
 * The first interval slot strictly after `now`, on the grid anchored at `planned` (the previous
 * planned time): slots missed while asleep or busy are skipped, not queued, and the grid does not
 * drift by however late the run actually started.
 */
export function nextIntervalSlot(planned: number, everySeconds: number, now: number): number {
  const step = everySeconds * 1000;
  if (planned > now) return planned;
  return planned + step * (Math.floor((now - planned) / step) + 1);
}

/** The next planned slot after `now`; `previous` anchors intervals (null: start counting now). */
export function nextSlot(t: Timetable, previous: number | null, now: number): number | null {
  if (t.cron !== null) return nextCronRun(t.cron, t.timezone, now);
  const every = t.every_seconds!;
  return previous === null ? now + every * 1000 : nextIntervalSlot(previous, every, now);
}

function localWords(ms: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    second: ms % 60_000 === 0 ? undefined : '2-digit',
    timeZoneName: 'short',
  }).format(new Date(ms));
}

function everyWords(seconds: number): string {
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, unit] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return n === 1 ? `Every ${unit}` : `Every ${n} ${unit}s`;
    }
  }
  return `Every ${seconds} seconds`;
}

/** The next `count` runs of a timetable from `now`, for the UI's "runs next at ..." line. */
export function previewRuns(
  spec: { cron?: string | null; every_seconds?: number | null; timezone?: string | null },
  count: number,
  now: number,
): SchedulePreview {
  const timezone = checkTimeZone(spec.timezone ?? systemTimeZone());
  const cron = spec.cron ?? null;
  const every = spec.every_seconds ?? null;
  if ((cron === null) === (every === null))
    throw new ApiError('INVALID_REQUEST', 'Give exactly one of "cron" or "every_seconds".', {
      field: cron === null ? 'every_seconds' : 'cron',
    });
  const n = Math.max(1, Math.min(100, Math.floor(count)));
  const runs: number[] = [];
  if (cron !== null) {
    checkCron(cron, timezone, now);
    let at: number | null = now;
    while (runs.length < n && (at = nextCronRun(cron, timezone, at)) !== null) runs.push(at);
  } else {
    for (let i = 1; i <= n; i++) runs.push(now + i * every! * 1000);
  }
  return {
    timezone,
    description:
      cron !== null
        ? `On the cron schedule "${cron}", ${timezone} time`
        : `${everyWords(every!)}, starting one interval after it is saved`,
    runs: runs.map((at) => ({ at: new Date(at).toISOString(), local: localWords(at, timezone) })),
  };
}
