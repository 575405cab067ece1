// Suggesting a condition's value from the dataset, as plain data: which text to search for, what a
// picked value does to the field, and the words of the warning shown when a filter matches nothing.
import type { WhereOp } from '../../shared/schemas/exports.ts';
import type { Condition } from './form-logic.ts';
import { opWords } from './op-words.ts';

/** The operators whose value is one of the column's own values, so suggestions make sense. */
const suggestingOps: ReadonlySet<WhereOp> = new Set(['eq', 'neq', 'in', 'not_in', 'starts_with']);

export const suggestsValues = (op: WhereOp): boolean => suggestingOps.has(op);

const isList = (op: WhereOp): boolean => op === 'in' || op === 'not_in';

/** The text to search values for: the whole field, or the last comma-separated part of a list. */
export function searchText(op: WhereOp, value: string): string {
  if (!isList(op)) return value.trim();
  const parts = value.split(',');
  return parts[parts.length - 1]!.trim();
}

/** The field's text once a suggestion is picked: it replaces the value, or the list's last part. */
export function pickValue(op: WhereOp, value: string, picked: string): string {
  if (!isList(op)) return picked;
  const kept = value
    .split(',')
    .slice(0, -1)
    .map((p) => p.trim())
    .filter((p) => p !== '' && p !== picked);
  return [...kept, picked].join(', ');
}

/** The values already in a list's field (all but the part being typed), not to suggest again. */
export function chosenValues(op: WhereOp, value: string): ReadonlySet<string> {
  if (!isList(op)) return new Set();
  return new Set(
    value
      .split(',')
      .slice(0, -1)
      .map((p) => p.trim())
      .filter(Boolean),
  );
}

/** The values a condition asks for, as texts; [] when it takes none or has none yet. */
export function askedValues(c: Condition): string[] {
  if (!suggestsValues(c.op) || c.op === 'neq' || c.op === 'not_in') return [];
  const parts = isList(c.op) ? c.value.split(',') : [c.value];
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** The conditions worth explaining when nothing matches: those asking for values, first three. */
export const suspectConditions = (conditions: readonly Condition[]): Condition[] =>
  conditions.filter((c) => askedValues(c).length > 0).slice(0, 3);

/** A condition in words: `state is "Texas"`, `state is one of "Texas", "Ohio"`. */
export function conditionWords(c: Condition): string {
  const values = askedValues(c).map((v) => `"${v}"`);
  return `${c.column} ${opWords[c.op]} ${values.join(', ')}`;
}

/**
 * The warning shown when a filter matches no row. `culprit` is the condition whose values the
 * column does not hold (null when each holds but they exclude each other); `nearby` are values the
 * column does hold, close to what was asked.
 */
export function zeroMatchWords(culprit: Condition | null, nearby: readonly string[]): string {
  if (!culprit) return 'No rows match the time range and conditions together.';
  const head = `No rows match: ${conditionWords(culprit)}`;
  if (nearby.length === 0) return `${head}.`;
  return `${head} — the column holds values like ${nearby.join(', ')}.`;
}

/** The first character of a value asked for: values starting with it are "nearby". */
export const nearbyPrefix = (asked: string): string => asked.trim().slice(0, 1);
