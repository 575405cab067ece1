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
