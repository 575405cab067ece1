// The schedules table: rows, reads, and writes that keep due_at in step with the row.
import type { StoreDb } from '../store/store-db.ts';

export interface ScheduleRow {
  id: string;
  name: string;
  request_json: string;
  cron: string | null;
  timezone: string;
  every_seconds: number | null;
  keep_fresh: number;
  keep_fresh_margin_seconds: number;
  retain: number | null;
  destination_json: string | null;
  filename_template: string | null;
  enabled: number;
  /** The next planned slot of the cron or interval timetable. */
  next_run_at: number | null;
  /** When keep-fresh re-creates the latest export (null: not keep-fresh, or nothing to refresh yet). */
  fresh_due_at: number | null;
  /** While failing: the backed-off moment of the next attempt. */
  retry_at: number | null;
  /** Derived from the fields above by dueAt(): when the loop acts on this schedule next. */
  due_at: number | null;
  running_export_id: string | null;
  running_kind: 'run' | 'refresh' | null;
  latest_export_id: string | null;
  last_run_at: number | null;
  last_error_json: string | null;
  consecutive_failures: number;
  run_count: number;
  created_at: number;
  updated_at: number;
  changes_key: string | null;
  incremental_column: string | null;
  /** The highest value of incremental_column the last completed run exported (JSON). */
  high_water_json: string | null;
}

/**
 * The moment the loop should next look at a schedule. A failing schedule waits for its backoff
 * (which also holds back its regular slots and refreshes); a healthy one for its next slot or
 * keep-fresh moment, whichever is first. Paused or running: nothing to arm.
 */
export function dueAt(r: ScheduleRow): number | null {
  if (!r.enabled || r.running_export_id !== null) return null;
  if (r.consecutive_failures > 0 && r.retry_at !== null) return r.retry_at;
  const candidates = [r.next_run_at, r.fresh_due_at].filter((x): x is number => x !== null);
  return candidates.length ? Math.min(...candidates) : null;
}

const columns = [
  'id',
  'name',
  'request_json',
  'cron',
  'timezone',
  'every_seconds',
  'keep_fresh',
  'keep_fresh_margin_seconds',
  'retain',
  'destination_json',
  'filename_template',
  'enabled',
  'next_run_at',
  'fresh_due_at',
  'retry_at',
  'due_at',
  'running_export_id',
  'running_kind',
  'latest_export_id',
  'last_run_at',
  'last_error_json',
  'consecutive_failures',
  'run_count',
  'created_at',
  'updated_at',
  'changes_key',
  'incremental_column',
  'high_water_json',
] as const satisfies readonly (keyof ScheduleRow)[];

export function createSchedulesRepo(db: StoreDb) {
  const insertStmt = db.prepare(
    `INSERT INTO schedules (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`,
  );
  const getStmt = db.prepare('SELECT * FROM schedules WHERE id = ?');
  const listStmt = db.prepare('SELECT * FROM schedules ORDER BY created_at DESC, id DESC');
  const runningStmt = db.prepare('SELECT * FROM schedules WHERE running_export_id IS NOT NULL');
  const byExportStmt = db.prepare(
    'SELECT * FROM schedules WHERE running_export_id = ? OR latest_export_id = ?',
  );
  // Same WHERE as the partial index schedules_by_due, so both queries use it.
  const dueStmt = db.prepare(
    'SELECT * FROM schedules WHERE enabled = 1 AND running_export_id IS NULL AND due_at <= ? ORDER BY due_at, id',
  );
  const earliestStmt = db.prepare(
    'SELECT MIN(due_at) AS at FROM schedules WHERE enabled = 1 AND running_export_id IS NULL',
  );
  const deleteStmt = db.prepare('DELETE FROM schedules WHERE id = ?');

  const get = (id: string) => getStmt.get(id) as ScheduleRow | undefined;

  return {
    get,
    list: () => listStmt.all() as ScheduleRow[],
    running: () => runningStmt.all() as ScheduleRow[],
    /** Schedules whose running or latest export is this one. */
    byExport: (exportId: string) => byExportStmt.all(exportId, exportId) as ScheduleRow[],
    due: (now: number) => dueStmt.all(now) as ScheduleRow[],
    earliestDue: () => (earliestStmt.get() as { at: number | null }).at,
    insert(row: ScheduleRow): void {
      insertStmt.run({ ...row, due_at: dueAt(row) });
    },
    /** Writes the changed fields and recomputes due_at from the merged row. */
    update(id: string, patch: Partial<ScheduleRow>): ScheduleRow | undefined {
      const cur = get(id);
      if (!cur) return undefined;
      const next: ScheduleRow = { ...cur, ...patch, id };
      next.due_at = dueAt(next);
      const keys = columns.filter((c) => c !== 'id' && next[c] !== cur[c]);
      if (keys.length === 0) return cur;
      db.prepare(
        `UPDATE schedules SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`,
      ).run(Object.fromEntries([['id', id], ...keys.map((k) => [k, next[k]])]));
      return next;
    },
    remove: (id: string) => deleteStmt.run(id).changes > 0,
  };
}

export type SchedulesRepo = ReturnType<typeof createSchedulesRepo>;
