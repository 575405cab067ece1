// Dataset metadata in the job store (table `datasets`); the rows themselves live in their files.
import type { Dataset, DatasetColumn, DatasetStatus } from '../../../shared/schemas/datasets.ts';
import type { ExportError } from '../../../shared/schemas/exports.ts';
import { iso } from '../clock.ts';
import { immediate } from '../store/db.ts';
import { boundedCache } from '../store/bounded-cache.ts';
import { isShared, type StoreDb } from '../store/store-db.ts';

/** How many dataset records the repo keeps in memory. */
const DATASETS_CACHED = 1000;

interface DatasetRow {
  name: string;
  status: DatasetStatus;
  columns_json: string;
  time_column: string | null;
  row_count: number | null;
  progress_pct: number;
  bytes_done: number;
  bytes_total: number | null;
  source: string | null;
  error_json: string | null;
  created_at: number;
  updated_at: number;
}

export interface DatasetRecord {
  readonly name: string;
  readonly status: DatasetStatus;
  readonly columns: DatasetColumn[];
  readonly timeColumn: string | null;
  readonly rowCount: number | null;
  readonly progressPct: number;
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  readonly source: string | null;
  readonly error: ExportError | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type DatasetPatch = Partial<Omit<DatasetRecord, 'name' | 'createdAt'>> & {
  readonly updatedAt: number;
};

const fromRow = (r: DatasetRow): DatasetRecord => ({
  name: r.name,
  status: r.status,
  columns: JSON.parse(r.columns_json) as DatasetColumn[],
  timeColumn: r.time_column,
  rowCount: r.row_count,
  progressPct: r.progress_pct,
  bytesDone: r.bytes_done,
  bytesTotal: r.bytes_total,
  source: r.source,
  error: r.error_json === null ? null : (JSON.parse(r.error_json) as ExportError),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function toDataset(r: DatasetRecord): Dataset {
  return {
    name: r.name,
    status: r.status,
    columns: r.columns,
    time_column: r.timeColumn,
    row_count: r.rowCount,
    progress_pct: r.progressPct,
    bytes_done: r.bytesDone,
    bytes_total: r.bytesTotal,
    source: r.source,
    error: r.error,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

const columnOf: Record<keyof DatasetPatch, string> = {
  status: 'status',
  columns: 'columns_json',
  timeColumn: 'time_column',
  rowCount: 'row_count',
  progressPct: 'progress_pct',
  bytesDone: 'bytes_done',
  bytesTotal: 'bytes_total',
  source: 'source',
  error: 'error_json',
  updatedAt: 'updated_at',
};

export interface DatasetsRepo {
  get(name: string): DatasetRecord | null;
  /** The dataset whose name equals this one ignoring case (they would share a file). */
  getIgnoringCase(name: string): DatasetRecord | null;
  list(): DatasetRecord[];
  listByStatus(status: DatasetStatus): DatasetRecord[];
  insert(r: DatasetRecord): void;
  /** Returns the record after the change, or null when it no longer exists. */
  update(name: string, patch: DatasetPatch): DatasetRecord | null;
  delete(name: string): boolean;
  getState(key: string): string | null;
  setState(key: string, value: string): void;
}

export function createDatasetsRepo(db: StoreDb): DatasetsRepo {
  const getStmt = db.prepare<[string], DatasetRow>('SELECT * FROM datasets WHERE name = ?');
  const getNoCase = db.prepare<[string], DatasetRow>(
    'SELECT * FROM datasets WHERE lower(name) = lower(?)',
  );
  const listStmt = db.prepare<[], DatasetRow>('SELECT * FROM datasets ORDER BY name');
  const byStatus = db.prepare<[string], DatasetRow>(
    'SELECT * FROM datasets WHERE status = ? ORDER BY name',
  );
  const insertStmt = db.prepare(
    `INSERT INTO datasets (name, status, columns_json, time_column, row_count, progress_pct,
       bytes_done, bytes_total, source, error_json, created_at, updated_at)
     VALUES (@name, @status, @columns_json, @time_column, @row_count, @progress_pct,
       @bytes_done, @bytes_total, @source, @error_json, @created_at, @updated_at)`,
  );
  const deleteStmt = db.prepare('DELETE FROM datasets WHERE name = ?');
  const getStateStmt = db.prepare<[string], { value: string }>(
    'SELECT value FROM datasets_state WHERE key = ?',
  );
  const setStateStmt = db.prepare(
    'INSERT INTO datasets_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );

  // Records by name, so an export's request (one per export: a stream of small exports asks for
  // its dataset hundreds of times a second) reads no SQLite and parses no columns. Every write
  // here forgets its name; a store other engines share is never cached (isShared).
  const cache = boundedCache<DatasetRecord>(isShared(db) ? 0 : DATASETS_CACHED);
  const read = (name: string) => {
    const row = getStmt.get(name);
    return row ? fromRow(row) : null;
  };
  const get = (name: string): DatasetRecord | null => {
    const hit = cache.get(name);
    if (hit) return hit;
    const r = read(name);
    // Never what an open transaction sees: it may still roll back.
    if (r && !db.inTransaction) cache.set(name, r);
    return r;
  };
  const write = <T>(name: string, fn: () => T): T => {
    cache.delete(name);
    try {
      return immediate(db, fn);
    } finally {
      cache.delete(name);
    }
  };

  return {
    get,
    getIgnoringCase(name) {
      const row = getNoCase.get(name);
      return row ? fromRow(row) : null;
    },
    list: () => listStmt.all().map(fromRow),
    listByStatus: (status) => byStatus.all(status).map(fromRow),
    insert(r) {
      write(r.name, () =>
        insertStmt.run({
          name: r.name,
          status: r.status,
          columns_json: JSON.stringify(r.columns),
          time_column: r.timeColumn,
          row_count: r.rowCount,
          progress_pct: r.progressPct,
          bytes_done: r.bytesDone,
          bytes_total: r.bytesTotal,
          source: r.source,
          error_json: r.error === null ? null : JSON.stringify(r.error),
          created_at: r.createdAt,
          updated_at: r.updatedAt,
        }),
      );
    },
    update(name, patch) {
      const sets: string[] = [];
      const params: unknown[] = [];
      for (const [key, value] of Object.entries(patch) as [keyof DatasetPatch, unknown][]) {
        if (value === undefined) continue;
        sets.push(`${columnOf[key]} = ?`);
        params.push(
          key === 'columns' || (key === 'error' && value !== null) ? JSON.stringify(value) : value,
        );
      }
      return write(name, () => {
        db.prepare(`UPDATE datasets SET ${sets.join(', ')} WHERE name = ?`).run(...params, name);
        return read(name);
      });
    },
    delete: (name) => write(name, () => deleteStmt.run(name).changes > 0),
    getState: (key) => getStateStmt.get(key)?.value ?? null,
    setState(key, value) {
      immediate(db, () => setStateStmt.run(key, value));
    },
  };
}
