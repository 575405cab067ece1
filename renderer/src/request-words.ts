// An export's request in words: "leads · state is TX or CA · CSV, gzip", with the provider's
// name instead of its id, for the detail page.
import type { Export, WhereClause, WhereOp } from '../../shared/schemas/exports.ts';
import { dateTime } from './format.ts';
import { opWords } from './op-words.ts';

// In a sentence the values of `in` read "TX or CA", so the operator itself is just "is".
const opText: Record<WhereOp, string> = { ...opWords, in: 'is' };

const textOps: readonly WhereOp[] = ['contains', 'starts_with', 'ends_with'];

function valueText(v: unknown, quoted: boolean): string {
  return quoted && typeof v === 'string' ? `“${v}”` : String(v);
}

/** "state is TX or CA", "score ≥ 10", "email contains “@acme” (any case)". */
export function conditionWords(c: WhereClause): string {
  if (c.op === 'is_null' || c.op === 'is_not_null') return `${c.column} ${opText[c.op]}`;
  const quoted = textOps.includes(c.op);
  const values = Array.isArray(c.value) ? c.value : [c.value];
  const list = values.map((v) => valueText(v, quoted)).join(c.op === 'in' ? ' or ' : ', ');
  return `${c.column} ${opText[c.op]} ${list}${c.case_insensitive ? ' (any case)' : ''}`;
}

type Filter = { start_time?: string; end_time?: string; where?: WhereClause[] };

function timeWords(f: Filter): string | null {
  if (f.start_time && f.end_time)
    return `from ${dateTime(f.start_time)} to ${dateTime(f.end_time)}`;
  if (f.start_time) return `from ${dateTime(f.start_time)}`;
  if (f.end_time) return `until ${dateTime(f.end_time)}`;
  return null;
}

/** The parts of a request in words, to be joined with " · ". */
export function requestWords(
  e: Pick<Export, 'source' | 'format' | 'compression' | 'columns' | 'filter' | 'params'>,
  providerNames: Readonly<Record<string, string>> = {},
): string[] {
  if (e.source.type === 'provider') {
    const params = e.params ?? {};
    const json = JSON.stringify(params);
    return [
      providerNames[e.source.provider_id] ?? 'a provider that is no longer set up',
      Object.keys(params).length === 0
        ? 'no parameters'
        : `parameters ${json.length > 120 ? `${json.slice(0, 119)}…` : json}`,
    ];
  }
  const filter = (e.filter ?? {}) as Filter;
  const parts = [e.source.dataset];
  const time = timeWords(filter);
  if (time) parts.push(time);
  const where = filter.where ?? [];
  parts.push(where.length ? where.map(conditionWords).join(' and ') : 'all rows');
  parts.push(e.columns ? `columns ${e.columns.join(', ')}` : 'all columns');
  parts.push(`${e.format === 'jsonl' ? 'JSON Lines' : e.format.toUpperCase()}, ${e.compression}`);
  return parts;
}
