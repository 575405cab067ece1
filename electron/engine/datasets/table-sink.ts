// The SQLite side of an import: writes batches of rows into the dataset file's `data` table.
//
// Values arrive as the text they were read as (or as JSON values) together with the types the
// encoder has inferred so far, and are bound under those types. The table's columns have no
// declared type, so each value is stored as what it is; a column's type only ever widens, and
// at the end the few values stored before a column widened to text are rewritten as text, so
// the final metadata holds for every row.
import { closeSync, fdatasync, openSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import type { ColumnType, DatasetColumn } from '../../../shared/schemas/datasets.ts';
import type { Db } from '../store/db.ts';
import { nativeFile } from '../native-build.ts';
import { DATA_TABLE, finishBuildFile, openBuildFile, quoteIdent } from './dataset-file.ts';
import {
  BOOLEAN_CODE,
  INTEGER_CODE,
  REAL_CODE,
  UNKNOWN_CODE,
  TEXT_CODE,
  typeNames,
} from './values.ts';

/** Field separator of a batch payload: one string is far cheaper to pass between threads. */
export const SEP = '\u0000';

export interface SinkBatch {
  /** Every column's type code once this batch was read (a batch is bound under these). */
  readonly types: readonly number[];
  readonly rows: number;
  /** rows x columns values joined by SEP (CSV text; '' is NULL), as text or UTF-8 bytes ... */
  readonly payload?: string | Uint8Array;
  /** ... or the values themselves (JSON values, or text holding SEP). */
  readonly values?: unknown[];
}

export interface SinkResult {
  readonly columns: DatasetColumn[];
  readonly timeColumn: string | null;
  readonly rowCount: number;
}

const COMMIT_ROWS = 50_000;

/**
 * The import's SQLite extension (native/import-rows.c) in this connection: one call inserts a
 * batch's payload, split, converted and bound in C as write() binds it in JavaScript. Null when it
 * was not built (no C compiler) or does not load: write() then binds value by value.
 */
function insertRowsStatement(db: Db): Statement | null {
  const found = nativeFile('import-rows.so');
  if ('missing' in found) return null;
  try {
    db.loadExtension(found.file); // entry point sqlite3_importrows_init, from the file's name
    return db.prepare('SELECT em_insert_rows(?, ?, ?, ?)').pluck();
  } catch {
    return null;
  }
}

/** A byte payload as better-sqlite3 binds it (a Buffer: a blob), or the text as it is. */
function payloadArgument(payload: string | Uint8Array): string | Buffer {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return payload;
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** The payload's text (bytes from the native scanner are valid UTF-8: it checked). */
function payloadText(payload: string | Uint8Array): string {
  return typeof payload === 'string' ? payload : payloadArgument(payload).toString('utf8');
}

/** import-rows.c's kind of a column: 1 integer, 2 real, 3 boolean, 4 anything else. */
const nativeKind = (t: number): number =>
  t === INTEGER_CODE ? 1 : t === REAL_CODE ? 2 : t === BOOLEAN_CODE ? 3 : 4;

export class TableSink {
  private readonly db: Db;
  private readonly file: string;
  private readonly names: string[] = [];
  private types: number[] = [];
  private readonly textFrom: number[] = [];
  private created = false;
  private stmtRows = 1;
  private batchStmt: Statement | null = null;
  private rowStmt: Statement | null = null;
  /** The extension's statement, or null: see insertRowsStatement. */
  readonly insertRows: Statement | null;
  private kinds: Buffer | null = null;
  private rows = 0;
  private sinceCommit = 0;
  /** A descriptor for background syncs, and whether one is under way. */
  private syncFd: number | null = null;
  private syncing = false;

  /** `native: false` (tests) binds in JavaScript even where the extension is built. */
  constructor(file: string, opts: { native?: boolean } = {}) {
    this.file = file;
    this.db = openBuildFile(file);
    this.insertRows = opts.native === false ? null : insertRowsStatement(this.db);
  }

  addColumn(name: string): void {
    if (this.created) this.db.exec(`ALTER TABLE ${DATA_TABLE} ADD COLUMN ${quoteIdent(name)}`);
    this.names.push(name);
    this.types.push(UNKNOWN_CODE);
    this.textFrom.push(UNKNOWN_CODE);
    this.invalidate();
  }

  write(batch: SinkBatch): void {
    if (!this.created) this.createTable();
    this.setTypes(batch.types);
    if (batch.payload !== undefined && this.insertRows !== null) {
      this.kinds ??= Buffer.from(this.types.map(nativeKind));
      this.insertRows.get(DATA_TABLE, payloadArgument(batch.payload), this.kinds, batch.rows);
      this.counted(batch.rows);
      return;
    }
    const n = this.names.length;
    const total = batch.rows * n;
    const values =
      batch.payload !== undefined ? payloadText(batch.payload).split(SEP) : batch.values!;
    if (values.length !== total)
      throw new Error(`batch holds ${values.length} values, expected ${total}`);
    this.convert(values, batch.rows);
    let r = 0;
    if (this.stmtRows > 1 && batch.rows >= this.stmtRows) {
      this.batchStmt ??= this.db.prepare(
        `INSERT INTO ${DATA_TABLE} VALUES ${Array(this.stmtRows).fill(this.rowSql()).join(',')}`,
      );
      // Values as arguments, not one array: better-sqlite3 reads an array element by element
      // through N-API (about 10 % of this thread's time on 2,000,000 rows of 10 columns).
      for (; r + this.stmtRows <= batch.rows; r += this.stmtRows)
        this.batchStmt.run(...values.slice(r * n, (r + this.stmtRows) * n));
    }
    if (r < batch.rows) {
      this.rowStmt ??= this.db.prepare(`INSERT INTO ${DATA_TABLE} VALUES ${this.rowSql()}`);
      for (; r < batch.rows; r++) this.rowStmt.run(...values.slice(r * n, r * n + n));
    }
    this.counted(batch.rows);
  }

  /** Counts written rows; commits every COMMIT_ROWS. */
  private counted(rows: number): void {
    this.rows += rows;
    this.sinceCommit += rows;
    if (this.sinceCommit >= COMMIT_ROWS) {
      this.db.exec('COMMIT');
      this.db.exec('BEGIN');
      this.sinceCommit = 0;
      this.syncInBackground();
    }
  }

  /**
   * Flushes what is written so far on a libuv thread while rows keep coming, so the final
   * fsync has little left to write (it took 0.7 s of a 2,000,000-row import on its own).
   */
  private syncInBackground(): void {
    if (this.syncing) return;
    this.syncFd ??= openSync(this.file, 'r');
    this.syncing = true;
    fdatasync(this.syncFd, () => {
      this.syncing = false;
      if (!this.db.open) this.closeSyncFd();
    });
  }

  private closeSyncFd(): void {
    // Closed only once no background sync uses it: a reused descriptor number would be synced.
    if (this.syncFd === null || this.syncing) return;
    closeSync(this.syncFd);
    this.syncFd = null;
  }

  /**
   * Settles the final types, rewrites widened values, indexes the time column and the index
   * columns, syncs the file.
   */
  finish(
    types: readonly number[],
    timeColumn: string | null,
    indexColumns: readonly string[] = [],
  ): SinkResult {
    if (!this.created) this.createTable();
    this.setTypes(types);
    this.db.function('em_js_text', { deterministic: true }, (v: unknown) => String(v));
    for (let i = 0; i < this.names.length; i++) {
      const from = this.textFrom[i];
      if (
        this.types[i] !== TEXT_CODE ||
        (from !== INTEGER_CODE && from !== REAL_CODE && from !== BOOLEAN_CODE)
      )
        continue;
      const col = quoteIdent(this.names[i]);
      // String() as the exporter would print the number; booleans were stored as 1 and 0.
      const expr =
        from === BOOLEAN_CODE
          ? `CASE ${col} WHEN 1 THEN 'true' ELSE 'false' END`
          : `em_js_text(${col})`;
      this.db.exec(
        `UPDATE ${DATA_TABLE} SET ${col} = ${expr} WHERE typeof(${col}) IN ('integer','real')`,
      );
    }
    this.db.exec('COMMIT');
    const indexed = finishBuildFile(this.db, this.file, timeColumn, indexColumns);
    this.closeSyncFd();
    const columns = this.names.map((name, i) => ({
      name,
      type: typeNames[this.types[i] === UNKNOWN_CODE ? TEXT_CODE : this.types[i]] as ColumnType,
      ...(indexed.has(name) ? { indexed: true } : {}),
    }));
    return { columns, timeColumn, rowCount: this.rows };
  }

  /** Closes the file without finishing it; the caller removes it. */
  close(): void {
    if (this.db.open) this.db.close();
    this.closeSyncFd();
  }

  private createTable(): void {
    if (this.names.length === 0) throw new Error('a table needs at least one column');
    this.db.exec(`CREATE TABLE ${DATA_TABLE} (${this.names.map(quoteIdent).join(', ')})`);
    this.db.exec('BEGIN');
    this.created = true;
  }

  private setTypes(types: readonly number[]): void {
    let changed = false;
    for (let i = 0; i < types.length; i++) {
      const from = this.types[i];
      if (types[i] === from) continue;
      changed = true;
      if (types[i] === TEXT_CODE && from !== UNKNOWN_CODE) this.textFrom[i] = from;
    }
    if (!changed) return;
    this.types = types.slice();
    this.invalidate();
  }

  /** Turns text into what each column stores ('' is NULL); integers are made exact by CAST in SQL. */
  private convert(values: unknown[], rows: number): void {
    const n = this.names.length;
    const end = rows * n;
    for (let c = 0; c < n; c++) {
      const t = this.types[c];
      if (t === REAL_CODE || t === INTEGER_CODE) {
        // Integers too are bound as numbers (CAST in the SQL stores them as integers): a number
        // binds without the UTF-8 copy a string needs (about 10 % of the insert thread's time
        // on the leads data, two integer columns of ten). The reader has checked that every
        // value of an integer column is a safe integer, so Number() is exact.
        for (let k = c; k < end; k += n) {
          const v = values[k];
          if (typeof v === 'string') values[k] = v === '' ? null : Number(v);
        }
      } else if (t === BOOLEAN_CODE) {
        for (let k = c; k < end; k += n) {
          const v = values[k];
          values[k] = v === 'true' || v === true ? 1 : v === 'false' || v === false ? 0 : null;
        }
      } else if (t === TEXT_CODE) {
        for (let k = c; k < end; k += n) {
          const v = values[k];
          if (v === '') values[k] = null;
          else if (typeof v === 'number') values[k] = String(v);
          else if (typeof v === 'boolean') values[k] = v ? 'true' : 'false';
        }
      } else {
        for (let k = c; k < end; k += n) if (values[k] === '') values[k] = null;
      }
    }
  }

  private invalidate(): void {
    this.batchStmt = null;
    this.rowStmt = null;
    this.kinds = null;
    // About 500 values per statement: fewer calls into better-sqlite3, yet measured faster
    // than statements of 2,000 values (1.37 s against 1.68 s for 500,000 rows of 10 columns).
    this.stmtRows = Math.max(1, Math.min(100, Math.floor(500 / Math.max(1, this.names.length))));
  }

  private rowSql(): string {
    // better-sqlite3 binds every number as REAL: CAST stores integers (and '123') as integers.
    const exprs = this.types.map((t) => (t === INTEGER_CODE ? 'CAST(? AS INTEGER)' : '?'));
    return `(${exprs.join(',')})`;
  }
}
