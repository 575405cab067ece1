// Schedules on a monotonic basis: notices the wall clock moving back and moves the timetable with it.
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { immediate } from '../store/db.ts';
import type { StoreDb } from '../store/store-db.ts';

/** A wall clock moving back less than this is jitter (NTP slews), not a jump. */
const JUMP_MS = 5_000;

/**
 * The loop's timers are monotonic (they wait elapsed time) but its plans are wall-clock moments.
 * When the wall clock is set back by D, every planned moment (next slot, keep-fresh, retry) moves
 * back by D too: the wait left stays what it was, so nothing stalls for D and nothing runs twice.
 * Moments recorded while the clock was ahead (exports completed "in the future") are clamped to now.
 */
export function createWallWatch(db: StoreDb, clock: Clock, logger: Logger) {
  let last: number | null = null;
  const shift = db.prepare(
    `UPDATE schedules SET
       next_run_at = next_run_at - @d, fresh_due_at = fresh_due_at - @d,
       retry_at = retry_at - @d, due_at = due_at - @d`,
  );
  const clamps = [
    'UPDATE schedules SET last_run_at = @now WHERE last_run_at > @now',
    'UPDATE schedules SET updated_at = @now WHERE updated_at > @now',
    'UPDATE schedule_runs SET started_at = @now WHERE started_at > @now',
    'UPDATE schedule_runs SET ended_at = @now WHERE ended_at > @now',
    'UPDATE exports SET created_at = @now WHERE created_at > @now',
    'UPDATE exports SET started_at = @now WHERE started_at > @now',
    'UPDATE exports SET completed_at = @now WHERE completed_at > @now',
    'UPDATE exports SET updated_at = @now WHERE updated_at > @now',
  ].map((sql) => db.prepare(sql));

  return {
    /**
     * Call before acting on the clock; returns how far the clock went back (0: it did not).
     * `expected` is the wall time a monotonic timer was armed to fire at: the jump is measured
     * exactly against it rather than against the last look.
     */
    check(expected?: number): number {
      const now = clock.now();
      const before = expected !== undefined ? Math.max(expected, last ?? expected) : last;
      last = Math.max(last ?? now, now);
      if (before === null || before - now < JUMP_MS) return 0;
      const d = before - now;
      last = now;
      immediate(db, () => {
        shift.run({ d });
        for (const c of clamps) c.run({ now });
      });
      logger.warn('schedules: the wall clock moved back; the timetable moves with it', {
        seconds: Math.round(d / 1000),
      });
      return d;
    },
  };
}
