// Recognising imported values: integers, reals, booleans and ISO 8601 timestamps, and widening.
import type { ColumnType } from '../../../shared/schemas/datasets.ts';

/** A column's type while an import runs; 'unknown' until its first non-empty value. */
export type WorkingType = ColumnType | 'unknown';

// Small integers for the per-value switch of the hot path, indexes into typeNames.
export const UNKNOWN_CODE = 0;
export const INTEGER_CODE = 1;
export const REAL_CODE = 2;
export const BOOLEAN_CODE = 3;
export const TIMESTAMP_CODE = 4;
export const TEXT_CODE = 5;
export const typeNames: readonly WorkingType[] = [
  'unknown',
  'integer',
  'real',
  'boolean',
  'timestamp',
  'text',
];
export const typeCode = (t: WorkingType): number => typeNames.indexOf(t);

// No leading zeros ("007" is an identifier, not 7) and no "+", so the stored number prints back
// exactly as it was read.
const INTEGER = /^-?(?:0|[1-9]\d{0,15})$/;
const REAL = /^-?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const CANONICAL_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ISO_TS =
  /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?(Z|[+-]\d\d(?::?\d\d)?)?)?$/i;

/** An integer the column can store exactly, or undefined. */
export function parseInteger(s: string): number | undefined {
  if (!INTEGER.test(s) || s === '-0') return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A finite number written in decimal or exponent form, or undefined. */
export function parseReal(s: string): number | undefined {
  if (!REAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * An ISO 8601 date or date-time in exactly `Date.prototype.toISOString()` form, or undefined.
 * Without an offset the time is taken as UTC; a date alone is midnight UTC. The canonical form
 * makes a time range a plain string compare and keeps exports byte-identical to what was stored.
 */
export function normalizeTimestamp(s: string): string | undefined {
  if (s.length === 24 && CANONICAL_TS.test(s)) return validCanonical(s) ? s : undefined;
  if (s.length < 10 || s.length > 40) return undefined;
  const m = ISO_TS.exec(s);
  if (!m) return undefined;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = m[4] === undefined ? 0 : +m[4];
  const minute = m[5] === undefined ? 0 : +m[5];
  const second = m[6] === undefined ? 0 : +m[6];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[7] === undefined ? 0 : Math.floor(+`0.${m[7]}` * 1000 + 1e-6);
  let offsetMin = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const oh = +zone.slice(1, 3);
    const om = zone.length > 3 ? +zone.slice(-2) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  const t = d.getTime() - offsetMin * 60_000;
  // Outside years 0000-9999 toISOString() adds a sign and six digits, which would break the
  // string order the time filter relies on.
  if (!(t >= MIN_MS && t <= MAX_MS)) return undefined;
  return new Date(t).toISOString();
}

/** Range checks on a string already shaped like toISOString(), without a regex or a Date. */
function validCanonical(s: string): boolean {
  const year = num4(s, 0);
  const month = num2(s, 5);
  const day = num2(s, 8);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    num2(s, 11) <= 23 &&
    num2(s, 14) <= 59 &&
    num2(s, 17) <= 59
  );
}

const num2 = (s: string, i: number): number =>
  (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
const num4 = (s: string, i: number): number => num2(s, i) * 100 + num2(s, i + 2);

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The type a lone text value suggests for a column that has seen nothing yet. */
export function classifyText(s: string): ColumnType {
  if (parseInteger(s) !== undefined) return 'integer';
  if (parseReal(s) !== undefined) return 'real';
  if (s === 'true' || s === 'false') return 'boolean';
  if (normalizeTimestamp(s) !== undefined) return 'timestamp';
  return 'text';
}

/** The narrowest type holding both: integer + real is real, any other mix is text. */
export function widen(a: WorkingType, b: ColumnType): ColumnType {
  if (a === 'unknown' || a === b) return b;
  if ((a === 'integer' && b === 'real') || (a === 'real' && b === 'integer')) return 'real';
  return 'text';
}
