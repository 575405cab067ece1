// Read-only questions about a ready dataset, answered from its file: the most frequent distinct
// values of a column (for suggestions), and how many rows a filter matches (before exporting).
//
// Checks run on the engine's thread (an unknown column or a bad filter is a 400 at once); the
// reading runs in a worker (query-runner.ts), so a pass over millions of rows never stalls the API.
//
// Values come from a capped scan, never from an index (dataset files are written once and read by
// exports at the same time; building an index on demand would need a write lock on them): a
// dataset of at most SCAN_CAP rows is read whole, a larger one as SAMPLE_BLOCKS runs of rows spread
// evenly over the file (rowid ranges, each a B-tree seek), so the work is bounded whatever its size.
import Database from 'better-sqlite3';
import { ApiError } from '../../../shared/errors.ts';
import type { ColumnValues, DatasetCount } from '../../../shared/schemas/datasets.ts';
import type { ExportFilter } from '../../../shared/schemas/exports.ts';
import { DATA_TABLE, quoteIdent } from './dataset-file.ts';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import type { DatasetDescription } from './datasets-service.ts';
import { compileQuery } from './filter-sql.ts';

/** Rows read at most to answer a values question (100,000: about 0.1 s on the bench machine). */
export const SCAN_CAP = 100_000;
/** Runs of rows a larger dataset is sampled in. */
export const SAMPLE_BLOCKS = 20;
export const DEFAULT_VALUES_LIMIT = 20;
export const MAX_VALUES_LIMIT = 100;

export interface ValuesQuery {
  readonly prefix?: string | undefined;
  readonly limit?: number | undefined;
  /** Rows read at most (tests lower it to exercise sampling on small files). */
  readonly scanCap?: number | undefined;
}

function withFile<T>(file: string, run: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return run(db);
  } finally {
    db.close();
  }
}

/** The rowid ranges read: the whole table, or SAMPLE_BLOCKS evenly spread runs of rows. */
export function sampleRanges(minRowid: number, maxRowid: number, cap: number): [number, number][] {
  const span = maxRowid - minRowid + 1;
  if (span <= cap) return [[minRowid, maxRowid]];
  const blocks = Math.min(SAMPLE_BLOCKS, cap);
  const run = Math.floor(cap / blocks);
  const step = span / blocks;
  const ranges: [number, number][] = [];
  for (let i = 0; i < blocks; i++) {
    const start = minRowid + Math.floor(i * step);
    ranges.push([start, Math.min(maxRowid, start + run - 1)]);
  }
  return ranges;
}

/** The column's value as the text a prefix is compared with. */
function textForm(col: string, type: string): string {
  if (type === 'boolean') return `CASE ${col} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END`;
  if (type === 'text' || type === 'timestamp') return col;
  return `CAST(${col} AS TEXT)`;
}

export interface ValuesPlan {
  readonly file: string;
  readonly column: DatasetColumn;
  readonly prefix: string;
  readonly limit: number;
  readonly scanCap: number;
  readonly rowCount: number;
}

export interface CountPlan {
  readonly file: string;
  readonly dataset: string;
  readonly countSql: string;
  readonly params: unknown[];
  readonly rowCount: number;
}

/** Checks a values question (404 naming an unknown column) and says what to read. */
export function planValues(
  ds: DatasetDescription,
  dataset: string,
  column: string,
  q: ValuesQuery,
): ValuesPlan {
  const c = ds.columns.find((x) => x.name === column);
  if (!c)
    throw new ApiError('NOT_FOUND', `dataset "${dataset}" has no column "${column}"`, {
      field: 'column',
      column,
      columns: ds.columns.map((x) => x.name),
    });
  return {
    file: ds.file,
    column: c,
    prefix: q.prefix ?? '',
    limit: q.limit ?? DEFAULT_VALUES_LIMIT,
    scanCap: q.scanCap ?? SCAN_CAP,
    rowCount: ds.rowCount,
  };
}

/** Checks a filter exactly as an export request's (errors name `details.field`). */
export function planCount(
  ds: DatasetDescription,
  dataset: string,
  filter: ExportFilter | null,
): CountPlan {
  const q = compileQuery(ds, { columns: null, filter });
  return { file: ds.file, dataset, countSql: q.countSql, params: q.params, rowCount: ds.rowCount };
}

export function readValues(plan: ValuesPlan): ColumnValues {
  const c = plan.column;
  const col = quoteIdent(c.name);
  return withFile(plan.file, (db) => {
    const bounds = db
      .prepare(`SELECT min(rowid) AS lo, max(rowid) AS hi FROM ${DATA_TABLE}`)
      .get() as { lo: number | null; hi: number | null };
    const ranges = bounds.lo === null ? [] : sampleRanges(bounds.lo, bounds.hi!, plan.scanCap);
    const answer = { column: c.name, type: c.type, row_count: plan.rowCount };
    if (ranges.length === 0)
      return { ...answer, values: [], more: false, null_count: 0, rows_scanned: 0, complete: true };
    const union = ranges
      .map(() => `SELECT ${col} AS v FROM ${DATA_TABLE} WHERE rowid BETWEEN ? AND ?`)
      .join(' UNION ALL ');
    const bounded = ranges.flat();
    const scanned = db
      .prepare(`SELECT count(*) AS n, count(*) - count(v) AS nulls FROM (${union})`)
      .get(...bounded) as { n: number; nulls: number };
    const match =
      plan.prefix === '' ? '' : ` AND lower(substr(${textForm('v', c.type)}, 1, ?)) = lower(?)`;
    const params: unknown[] = [...bounded];
    if (plan.prefix !== '') params.push(plan.prefix.length, plan.prefix);
    params.push(plan.limit + 1);
    const rows = db
      .prepare(
        `SELECT v, count(*) AS n FROM (${union}) WHERE v IS NOT NULL${match} GROUP BY v ORDER BY n DESC, v LIMIT ?`,
      )
      .all(...params) as { v: string | number; n: number }[];
    return {
      ...answer,
      values: rows.slice(0, plan.limit).map((r) => ({
        value: c.type === 'boolean' ? r.v === 1 : r.v,
        count: r.n,
      })),
      more: rows.length > plan.limit,
      null_count: scanned.nulls,
      rows_scanned: scanned.n,
      complete: ranges.length === 1 && ranges[0]![0] === bounds.lo && ranges[0]![1] === bounds.hi,
    };
  });
}

export function readCount(plan: CountPlan): DatasetCount {
  return withFile(plan.file, (db) => {
    const { n } = db.prepare(plan.countSql).get(...plan.params) as { n: number };
    return { dataset: plan.dataset, count: n, row_count: plan.rowCount };
  });
}
