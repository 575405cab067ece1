// One completed schedule run in a line, for notifications and the history:
// "1,204 rows; +12 −3 ~5 since #41".
import type { ScheduleRun } from './schemas/schedules.ts';

const count = (n: number) => n.toLocaleString('en-US');

const markWords = (m: number | string) => (typeof m === 'number' ? count(m) : m);

export function runSummary(run: ScheduleRun, incrementalColumn: string | null = null): string {
  const rows =
    run.rows === null ? 'Completed' : `${count(run.rows)} ${run.rows === 1 ? 'row' : 'rows'}`;
  if (incrementalColumn) {
    return run.since_mark === null
      ? `${rows}: all rows, up to ${incrementalColumn} ${markWords(run.high_water_mark ?? '—')}`
      : `${rows} new since ${incrementalColumn} ${markWords(run.since_mark)}`;
  }
  const c = run.changes;
  if (!c) return rows;
  if (c.added === null || c.removed === null || c.changed === null)
    return `${rows}; changes unknown: ${c.reason ?? 'nothing to compare with'}`;
  const since = c.since === null ? '' : ` since #${c.since}`;
  return `${rows}; +${count(c.added)} −${count(c.removed)} ~${count(c.changed)}${since}`;
}
