// Fault injection for the reliability suite: EXPORT_MANAGER_FAULT=<point> kills the process there,
// so a crash window is hit every time, not by luck. Unset (always, outside those tests): nothing.
export function faultPoint(name: string): void {
  if (process.env.EXPORT_MANAGER_FAULT === name) process.kill(process.pid, 'SIGKILL');
}
