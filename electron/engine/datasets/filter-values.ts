// The value checks of a filter condition: values are used exactly as sent, never coerced.
//
// A JSON value whose type does not fit its column (a number for a text column, a string for an
// integer one) or its op (an array for `eq`, a value for `is_null`) is INVALID_REQUEST naming the
// condition, instead of a silently rewritten query that returns the wrong rows.
import { ApiError } from '../../../shared/errors.ts';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import { normalizeTimestamp } from './values.ts';

export type Scalar = string | number | boolean | null;

/** How a condition is named in errors: `where[2] (state in ...)`. */
export interface ConditionRef {
  readonly index: number;
  readonly column: string;
  readonly op: string;
}

export const conditionName = (ref: ConditionRef): string =>
  `where[${ref.index}] ("${ref.column}" ${ref.op})`;

export function invalidCondition(
  ref: ConditionRef,
  message: string,
  extra: Record<string, unknown> = {},
): ApiError {
  return new ApiError('INVALID_REQUEST', `${conditionName(ref)}: ${message}`, {
    field: `filter.where[${ref.index}]`,
    condition: ref.index,
    column: ref.column,
    op: ref.op,
    ...extra,
  });
}

const jsonType = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;

/** The JSON type a column's values are written in, for error messages. */
export function expectedType(c: DatasetColumn): string {
  switch (c.type) {
    case 'integer':
    case 'real':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'timestamp':
      return 'an ISO 8601 date-time string';
    default:
      return 'a string';
  }
}

/** The bound parameter for one value of a condition on column `c`. */
export function columnValue(ref: ConditionRef, c: DatasetColumn, v: unknown): string | number {
  const bad = () =>
    invalidCondition(
      ref,
      `value ${JSON.stringify(v)} is ${jsonType(v)}; column "${c.name}" (${c.type}) takes ${expectedType(c)}`,
      { type: c.type },
    );
  switch (c.type) {
    case 'integer':
    case 'real':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      throw bad();
    case 'boolean':
      if (typeof v === 'boolean') return v ? 1 : 0;
      throw bad();
    case 'timestamp': {
      const ts = typeof v === 'string' ? normalizeTimestamp(v) : undefined;
      if (ts === undefined) throw bad();
      return ts;
    }
    default:
      if (typeof v === 'string') return v;
      throw bad();
  }
}

/** `in` / `not_in`: one value or a non-empty array of them, none null. */
export function listValues(
  ref: ConditionRef,
  c: DatasetColumn,
  value: unknown,
): (string | number)[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw invalidCondition(ref, 'takes one value or a non-empty array');
  if (value === undefined) throw invalidCondition(ref, 'needs a value');
  return list.map((v) => {
    if (v === null)
      throw invalidCondition(ref, 'null is not a value: use the op "is_null" or "is_not_null"');
    return columnValue(ref, c, v);
  });
}

/** A single non-null value (every op but the list and null ops). */
export function singleValue(ref: ConditionRef, c: DatasetColumn, value: unknown): string | number {
  if (value === undefined) throw invalidCondition(ref, 'needs a value');
  if (Array.isArray(value))
    throw invalidCondition(ref, 'takes a single value, not an array (use "in" for a list)');
  if (value === null)
    throw invalidCondition(ref, 'null is not a value: use the op "is_null" or "is_not_null"');
  return columnValue(ref, c, value);
}
