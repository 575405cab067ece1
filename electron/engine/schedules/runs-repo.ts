// The schedule_runs table: every run of a schedule, numbered, kept after its files are pruned.
import type { StoreDb } from '../store/store-db.ts';

export type RunTrigger = 'timetable' | 'keep_fresh' | 'run_now' | 'catch_up' | 'retry';

export interface RunRow {
  schedule_id: string;
  number: number;
  trigger: RunTrigger;
  /** 'starting' (claimed, export not yet attached), then the export's status as it ends. */
  status: string;
  export_id: string | null;
  started_at: number;
  ended_at: number | null;
  rows: number | null;
  bytes: number | null;
  /** The run's own copy (`<name>.<number>.<ext>`), or the stored file when there is no folder. */
  saved_path: string | null;
  /** The file kept fresh at one path (`<name>.<ext>`), replaced by each completed run. */
  stable_path: string | null;
  error_json: string | null;
  /** Why the run's files are gone, in words: "file removed (retain 3)". */
  file_removed: string | null;
  changes_json: string | null;
  /** Incremental runs: the mark (JSON) the run exported rows above, null for all rows. */
  since_json: string | null;
  /** Incremental runs: the mark (JSON) the run reached, set when it completed. */
  high_water_json: string | null;
}

export function createRunsRepo(db: StoreDb) {
  const insertStmt = db.prepare(
    `INSERT INTO schedule_runs (schedule_id, number, trigger, status, started_at, since_json)
     VALUES (@schedule_id, @number, @trigger, 'starting', @started_at, @since_json)`,
  );
  const byExportStmt = db.prepare('SELECT * FROM schedule_runs WHERE export_id = ?');
  const startingStmt = db.prepare("SELECT * FROM schedule_runs WHERE status = 'starting'");
  const getStmt = db.prepare('SELECT * FROM schedule_runs WHERE schedule_id = ? AND number = ?');
  // CAST(? AS ...): compiled once, not on every call (docs/architecture.md, "Statements compiled
  // once").
  const pageStmt = db.prepare(
    'SELECT * FROM schedule_runs WHERE schedule_id = CAST(? AS TEXT) AND number < ? ORDER BY number DESC LIMIT CAST(? AS INTEGER)',
  );
  const latestStmt = db.prepare(
    'SELECT * FROM schedule_runs WHERE schedule_id = CAST(? AS TEXT) AND number < ? AND status = CAST(? AS TEXT) ORDER BY number DESC LIMIT 1',
  );

  function update(scheduleId: string, number: number, patch: Partial<RunRow>): void {
    const keys = Object.keys(patch).filter((k) => k !== 'schedule_id' && k !== 'number');
    if (!keys.length) return;
    db.prepare(
      `UPDATE schedule_runs SET ${keys.map((k) => `${k} = @${k}`).join(', ')}
       WHERE schedule_id = @schedule_id AND number = @number`,
    ).run({ ...patch, schedule_id: scheduleId, number });
  }

  return {
    claim(
      scheduleId: string,
      number: number,
      trigger: RunTrigger,
      at: number,
      sinceJson: string | null = null,
    ): void {
      insertStmt.run({
        schedule_id: scheduleId,
        number,
        trigger,
        started_at: at,
        since_json: sinceJson,
      });
    },
    get: (scheduleId: string, number: number) =>
      getStmt.get(scheduleId, number) as RunRow | undefined,
    byExport: (exportId: string) => byExportStmt.all(exportId) as RunRow[],
    starting: () => startingStmt.all() as RunRow[],
    /** Newest first, runs numbered below `before`. */
    page: (scheduleId: string, limit: number, before = Number.MAX_SAFE_INTEGER) =>
      pageStmt.all(scheduleId, before, limit) as RunRow[],
    /** The newest run before `number` that ended with `status`. */
    previous: (scheduleId: string, number: number, status: string) =>
      latestStmt.get(scheduleId, number, status) as RunRow | undefined,
    update,
  };
}

export type RunsRepo = ReturnType<typeof createRunsRepo>;
