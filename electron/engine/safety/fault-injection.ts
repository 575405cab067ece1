// Deterministic crash points for the reliability suite: EXPORT_MANAGER_CRASH_AT=<point> makes the
// process kill itself with SIGKILL when it reaches that point, exactly as `kill -9` would.
// Unset (always, outside tests) it costs one string comparison.

export type CrashPoint =
  | 'api-key:beside-written'
  | 'credentials-key:beside-written'
  | 'retention:expired-committed'
  | 'destination:part-written'
  | 'destination:linked'
  | 'import:part-written'
  | 'schedule:export-created'
  | 'schedule:mark-pending'
  | 'team:export-taken';

export function crashPoint(point: CrashPoint): void {
  if (process.env.EXPORT_MANAGER_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}

export type PausePoint = 'schedule:before-claim';

/**
 * EXPORT_MANAGER_PAUSE_AT=<point>:<ms> holds the thread at that point for that long, so a test can
 * widen a race window between processes (two engines claiming one schedule slot). Unset (always,
 * outside tests) it costs one string comparison.
 */
export function pausePoint(point: PausePoint): void {
  const at = process.env.EXPORT_MANAGER_PAUSE_AT;
  if (!at?.startsWith(`${point}:`)) return;
  const ms = Number(at.slice(point.length + 1));
  if (Number.isFinite(ms) && ms > 0)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
