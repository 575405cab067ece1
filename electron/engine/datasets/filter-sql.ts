// Compiles an export's column selection and filter into parameterised SQL over a dataset file.
//
// Identifiers come only from the dataset's own column list (double-quoted); every value is a
// bound parameter, used exactly as sent (filter-values.ts refuses a value of the wrong type).
import { ApiError } from '../../../shared/errors.ts';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import {
  textOps,
  whereOps,
  type ExportFilter,
  type WhereClause,
  type WhereOp,
} from '../../../shared/schemas/exports.ts';
import { DATA_TABLE, quoteIdent } from './dataset-file.ts';
import { invalidCondition, listValues, singleValue } from './filter-values.ts';
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

const comparisons: Record<'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte', string> = {
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
  const column = (name: string, where: string, field: string): DatasetColumn => {
    const c = byName.get(name);
    if (!c) throw invalid(`unknown column "${name}"${where}`, { field, column: name });
    return c;
  };

  let selected: DatasetColumn[];
  if (req.columns === undefined || req.columns === null) selected = [...ds.columns];
  else {
    if (req.columns.length === 0)
      throw invalid('columns must name at least one column', { field: 'columns' });
    const seen = new Set<string>();
    selected = req.columns.map((name, i) => {
      if (seen.has(name))
        throw invalid(`column "${name}" is listed twice`, { field: `columns[${i}]`, column: name });
      seen.add(name);
      return column(name, '', `columns[${i}]`);
    });
  }

  const conds: string[] = [];
  const params: unknown[] = [];
  const filter = req.filter ?? {};
  if (filter.start_time !== undefined || filter.end_time !== undefined) {
    if (ds.timeColumn === null)
      throw invalid('this dataset has no time column: start_time and end_time cannot be used', {
        field: filter.start_time !== undefined ? 'filter.start_time' : 'filter.end_time',
      });
    const col = quoteIdent(ds.timeColumn);
    const start = filter.start_time === undefined ? null : instant(filter.start_time, 'start_time');
    const end = filter.end_time === undefined ? null : instant(filter.end_time, 'end_time');
    if (start !== null && end !== null && start > end)
      throw invalid('start_time is after end_time', {
        field: 'filter.end_time',
        start_time: start,
        end_time: end,
      });
    if (start !== null) {
      conds.push(`${col} >= ?`);
      params.push(start);
    }
    if (end !== null) {
      conds.push(`${col} < ?`);
      params.push(end);
    }
  }

  (filter.where ?? []).forEach((clause, index) => {
    const c = column(clause.column, ' in filter', `filter.where[${index}].column`);
    const sql = conditionSql(c, clause, index);
    conds.push(sql.text);
    params.push(...sql.params);
  });

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
  if (ts === undefined)
    throw invalid(`${field} is not an ISO 8601 date-time: "${value}"`, {
      field: `filter.${field}`,
    });
  return ts;
}

/** One where condition as SQL over its (already known) column. */
function conditionSql(
  c: DatasetColumn,
  clause: WhereClause,
  index: number,
): { text: string; params: (string | number)[] } {
  const ref = { index, column: c.name, op: String(clause.op) };
  const col = quoteIdent(c.name);
  const op = clause.op as WhereOp;
  if (!(whereOps as readonly string[]).includes(op))
    throw invalidCondition(ref, `unknown op "${clause.op}" (one of ${whereOps.join(', ')})`);
  const isText = (textOps as readonly string[]).includes(op);
  if (clause.case_insensitive !== undefined && !isText)
    throw invalidCondition(ref, `case_insensitive applies to ${textOps.join(', ')} only`);
  if (op === 'is_null' || op === 'is_not_null') {
    if (clause.value !== undefined) throw invalidCondition(ref, 'takes no value');
    return { text: `${col} ${op === 'is_null' ? 'IS NULL' : 'IS NOT NULL'}`, params: [] };
  }
  if (op === 'in' || op === 'not_in') {
    const values = listValues(ref, c, clause.value);
    const marks = values.map(() => '?').join(', ');
    return { text: `${col} ${op === 'in' ? 'IN' : 'NOT IN'} (${marks})`, params: values };
  }
  if (isText) {
    if (c.type !== 'text' && c.type !== 'timestamp')
      throw invalidCondition(ref, `needs a text column; "${c.name}" is ${c.type}`);
    const v = clause.value;
    if (typeof v !== 'string' || v === '')
      throw invalidCondition(
        ref,
        `takes a non-empty string, not ${JSON.stringify(v === undefined ? null : v)}`,
      );
    // Plain string functions, not LIKE: % and _ in the value are ordinary characters.
    const fold = clause.case_insensitive === true;
    const subject = fold ? `lower(${col})` : col;
    const needle = fold ? 'lower(?)' : '?';
    if (op === 'contains') return { text: `instr(${subject}, ${needle}) > 0`, params: [v] };
    if (op === 'starts_with')
      return { text: `substr(${subject}, 1, length(?)) = ${needle}`, params: [v, v] };
    return { text: `substr(${subject}, -length(?)) = ${needle}`, params: [v, v] };
  }
  const value = singleValue(ref, c, clause.value);
  return { text: `${col} ${comparisons[op as keyof typeof comparisons]} ?`, params: [value] };
}
