// The exports tables in SQL, nothing else: rows, status history, files. No caching and no state
// machine (exports-repo.ts), no API shape (export-view.ts).
import type { ExportStatus } from '../../../shared/schemas/exports.ts';
import { exportStatuses as exportStatusList } from '../../../shared/vocabulary.ts';
import { dialectOf, type StoreDb } from '../store/store-db.ts';
import { countsQuery, listQuery, type ListFilter } from './list-query.ts';

export interface ExportRow {
  id: string;
  name: string;
  status: ExportStatus;
  source_type: 'dataset' | 'provider';
  dataset: string | null;
  provider_id: string | null;
  provider_type: string | null;
  remote_id: string | null;
  remote_status: string | null;
  /** The request as given (ExportCreate): its only copy; read it with storedRequest(). */
  request_json: string;
  format: string;
  compression: string;
  compression_level: number;
  progress_pct: number;
  progress_stage: string | null;
  rows_done: number;
  bytes_done: number;
  bytes_total: number | null;
  row_count: number | null;
  byte_size: number | null;
  error_json: string | null;
  recreated_from: string | null;
  recreated_as?: string | null;
  schedule_id: string | null;
  saved_paths_json: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  expires_at: number | null;
  updated_at: number;
}

export interface FileRow {
  export_id: string;
  idx: number;
  filename: string;
  byte_size: number;
  sha256: string;
  row_count: number | null;
}

type Statement = ReturnType<StoreDb['prepare']>;

/**
 * The sweeper's two questions, through the expiry index (completed exports by expires_at). Without
 * table statistics SQLite picks the status index instead and reads every completed export's row:
 * the next expiry, asked after every completion, took 54 ms with 100,000 completed exports
 * (0.006 ms through the index). PostgreSQL plans by its statistics and has no INDEXED BY.
 */
export function expirySql(dialect: 'sqlite' | 'postgres'): { due: string; first: string } {
  const from = dialect === 'sqlite' ? 'exports INDEXED BY exports_by_expiry' : 'exports';
  return {
    due: `SELECT * FROM ${from} WHERE status = 'completed' AND expires_at <= ?`,
    first: `SELECT min(expires_at) FROM ${from} WHERE status = 'completed'`,
  };
}

export function createExportsTable(db: StoreDb) {
  const getRow = db.prepare('SELECT * FROM exports WHERE id = ?');
  // CAST(? AS ...) where a bare ? would make SQLite compile the statement again on every call
  // (docs/architecture.md, "Statements compiled once").
  const filesOf = db.prepare(
    'SELECT * FROM export_files WHERE export_id = CAST(? AS TEXT) ORDER BY idx',
  );
  const historyOf = db.prepare(
    'SELECT status, at FROM export_history WHERE export_id = CAST(? AS TEXT) ORDER BY seq',
  );
  const addHistory = db.prepare(
    'INSERT INTO export_history (export_id, seq, status, at) VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM export_history WHERE export_id = CAST(? AS TEXT)), ?, ?)',
  );
  const insertFile = db.prepare(
    'INSERT INTO export_files (export_id, idx, filename, byte_size, sha256, row_count) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const deleteFiles = db.prepare('DELETE FROM export_files WHERE export_id = ?');
  const deleteRow = db.prepare('DELETE FROM exports WHERE id = ?');
  const renew = db.prepare(
    "UPDATE exports SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND status = 'processing'",
  );
  const ofStatus = db.prepare('SELECT * FROM exports WHERE status = ? ORDER BY created_at, id');
  const pending = db.prepare(
    "SELECT * FROM exports WHERE status = 'pending' AND source_type = CAST(? AS TEXT) ORDER BY created_at, id LIMIT CAST(? AS INTEGER)",
  );
  const expiry = expirySql(dialectOf(db));
  const expiring = db.prepare(expiry.due);
  const firstExpiry = db.prepare(expiry.first).pluck();

  // Statements whose column list varies (an insert of a row, an update of some fields), prepared
  // once per column list: progress updates repeat the same few lists.
  const shaped = new Map<string, Statement>();
  const prepared = (sql: string): Statement => {
    let stmt = shaped.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      shaped.set(sql, stmt);
    }
    return stmt;
  };

  return {
    read: (id: string): ExportRow | null => (getRow.get(id) as ExportRow | undefined) ?? null,
    insert(row: ExportRow): void {
      const cols = Object.keys(row);
      prepared(
        `INSERT INTO exports (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`,
      ).run(row);
    },
    update(id: string, fields: Partial<ExportRow>): void {
      const keys = Object.keys(fields);
      if (keys.length === 0) return;
      prepared(
        `UPDATE exports SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`,
      ).run({ ...fields, id });
    },
    addHistory: (id: string, status: ExportStatus, at: number): void =>
      void addHistory.run(id, id, status, at),
    history: (id: string) => historyOf.all(id) as { status: ExportStatus; at: number }[],
    files: (id: string) => filesOf.all(id) as FileRow[],
    replaceFiles(id: string, files: readonly Omit<FileRow, 'export_id' | 'idx'>[]): void {
      deleteFiles.run(id);
      files.forEach((f, i) =>
        insertFile.run(id, i, f.filename, f.byte_size, f.sha256, f.row_count),
      );
    },
    renewLease: (id: string, owner: string, until: number): void =>
      void renew.run(until, id, owner),
    remove: (id: string): void => void deleteRow.run(id),
    list(f: ListFilter): ExportRow[] {
      const { sql, params } = listQuery(f);
      return db.prepare(sql).all(params) as ExportRow[];
    },
    counts(f: Parameters<typeof countsQuery>[0]): Record<ExportStatus, number> {
      const { sql, params } = countsQuery(f);
      const out = Object.fromEntries(exportStatusList.map((st) => [st, 0])) as Record<
        ExportStatus,
        number
      >;
      for (const r of db.prepare(sql).all(params) as { status: ExportStatus; n: number }[])
        out[r.status] = r.n;
      return out;
    },
    byStatus: (status: ExportStatus) => ofStatus.all(status) as ExportRow[],
    pendingOf: (source: ExportRow['source_type'], limit: number) =>
      pending.all(source, limit) as ExportRow[],
    dueForExpiry: (now: number) => expiring.all(now) as ExportRow[],
    nextExpiry: (): number | null => (firstExpiry.get() as number | null) ?? null,
  };
}

export type ExportsTable = ReturnType<typeof createExportsTable>;
