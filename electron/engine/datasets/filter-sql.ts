// Compiles an export's column selection and filter into parameterised SQL over a dataset file.
//
// Identifiers come only from the dataset's own column list (double-quoted); every value is a
// bound parameter, coerced to its column's type so that '5' finds the integer 5.
import { ApiError } from '../../../shared/errors.ts';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import { whereOps, type ExportFilter, type WhereOp } from '../../../shared/schemas/exports.ts';
import { DATA_TABLE, quoteIdent } from './dataset-file.ts';
import { normalizeTimestamp } from './values.ts';

export interface CompiledQuery {
  /** Rows in file order (rowid), so the same export always writes the same bytes. */
  readonly selectSql: string;
  /** `SELECT count(*) AS n ...` with the same WHERE clause. */
  readonly countSql: string;
  readonly params: unknown[];
  /** The selected columns, in the request's order. */
  readonly columns: DatasetColumn[];
}

export interface QueryShape {
  readonly columns: readonly DatasetColumn[];
  readonly timeColumn: string | null;
}

export interface QueryRequest {
  readonly columns?: readonly string[] | null;
  readonly filter?: ExportFilter | null;
}

type Scalar = string | number | boolean | null;

const comparisons: Record<Exclude<WhereOp, 'in' | 'contains'>, string> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new ApiError('INVALID_REQUEST', message, details);

export function compileQuery(ds: QueryShape, req: QueryRequest): CompiledQuery {
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const column = (name: string, where: string): DatasetColumn => {
    const c = byName.get(name);
    if (!c) throw invalid(`unknown column "${name}"${where}`, { column: name });
    return c;
  };

  let selected: DatasetColumn[];
  if (req.columns === undefined || req.columns === null) selected = [...ds.columns];
  else {
    if (req.columns.length === 0) throw invalid('columns must name at least one column');
    const seen = new Set<string>();
    selected = req.columns.map((name) => {
      if (seen.has(name)) throw invalid(`column "${name}" is listed twice`, { column: name });
      seen.add(name);
      return column(name, '');
    });
  }

  const conds: string[] = [];
  const params: unknown[] = [];
  const filter = req.filter ?? {};
  if (filter.start_time !== undefined || filter.end_time !== undefined) {
    if (ds.timeColumn === null)
      throw invalid('this dataset has no time column: start_time and end_time cannot be used');
    const col = quoteIdent(ds.timeColumn);
    const start = filter.start_time === undefined ? null : instant(filter.start_time, 'start_time');
    const end = filter.end_time === undefined ? null : instant(filter.end_time, 'end_time');
    if (start !== null && end !== null && start > end)
      throw invalid('start_time is after end_time', { start_time: start, end_time: end });
    if (start !== null) {
      conds.push(`${col} >= ?`);
      params.push(start);
    }
    if (end !== null) {
      conds.push(`${col} < ?`);
      params.push(end);
    }
  }

  for (const clause of filter.where ?? []) {
    const c = column(clause.column, ' in filter');
    const col = quoteIdent(c.name);
    const op = clause.op as WhereOp;
    if (!(whereOps as readonly string[]).includes(op))
      throw invalid(`unknown op "${clause.op}" (one of ${whereOps.join(', ')})`, {
        op: clause.op,
      });
    const value = clause.value as Scalar | Scalar[];
    if (op === 'in') {
      if (!Array.isArray(value) || value.length === 0)
        throw invalid(`op "in" on "${c.name}" takes a non-empty array of values`);
      const values = value.filter((v) => v !== null).map((v) => coerce(c, v));
      const parts: string[] = [];
      if (values.length > 0) {
        parts.push(`${col} IN (${values.map(() => '?').join(', ')})`);
        params.push(...values);
      }
      if (values.length < value.length) parts.push(`${col} IS NULL`);
      conds.push(parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`);
      continue;
    }
    if (Array.isArray(value))
      throw invalid(`op "${op}" on "${c.name}" takes a single value, not an array`);
    if (op === 'contains') {
      if (c.type !== 'text' && c.type !== 'timestamp')
        throw invalid(`op "contains" needs a text column; "${c.name}" is ${c.type}`);
      if (value === null) throw invalid(`op "contains" on "${c.name}" needs a value`);
      // instr, not LIKE: % and _ in the value are plain characters, and case counts.
      conds.push(`instr(${col}, ?) > 0`);
      params.push(String(value));
      continue;
    }
    if (value === null) {
      if (op === 'eq') conds.push(`${col} IS NULL`);
      else if (op === 'neq') conds.push(`${col} IS NOT NULL`);
      else throw invalid(`op "${op}" on "${c.name}" cannot compare with null`);
      continue;
    }
    conds.push(`${col} ${comparisons[op]} ?`);
    params.push(coerce(c, value));
  }

  const where = conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : '';
  return {
    selectSql: `SELECT ${selected.map((c) => quoteIdent(c.name)).join(', ')} FROM ${DATA_TABLE}${where} ORDER BY rowid`,
    countSql: `SELECT count(*) AS n FROM ${DATA_TABLE}${where}`,
    params,
    columns: selected,
  };
}

function instant(value: string, field: string): string {
  const ts = normalizeTimestamp(value);
  if (ts === undefined) throw invalid(`${field} is not an ISO 8601 date-time: "${value}"`);
  return ts;
}

/** The value as the column stores it, or INVALID_REQUEST when it cannot be one. */
function coerce(c: DatasetColumn, v: Exclude<Scalar, null>): string | number {
  const bad = () =>
    invalid(`value ${JSON.stringify(v)} does not fit column "${c.name}" (${c.type})`, {
      column: c.name,
      type: c.type,
    });
  switch (c.type) {
    case 'integer':
    case 'real': {
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw bad();
        return v;
      }
      if (typeof v === 'string' && v.trim() !== '') {
        const n = Number(v.trim());
        if (Number.isFinite(n)) return n;
      }
      throw bad();
    }
    case 'boolean':
      if (v === true || v === 'true' || v === 1) return 1;
      if (v === false || v === 'false' || v === 0) return 0;
      throw bad();
    case 'timestamp': {
      const ts = typeof v === 'string' ? normalizeTimestamp(v) : undefined;
      if (ts === undefined) throw bad();
      return ts;
    }
    default:
      return typeof v === 'string' ? v : String(v);
  }
}
