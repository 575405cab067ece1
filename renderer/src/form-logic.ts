// The forms' pure logic (no DOM, no React): request bodies, typed values, file names.
import type { DatasetColumn } from '../../shared/schemas/datasets.ts';
import type { Export, ExportCreate, WhereClause, WhereOp } from '../../shared/schemas/exports.ts';
import { splitPath } from './desktop.ts';

export interface Condition {
  readonly key: number;
  column: string;
  op: WhereOp;
  value: string;
}

/** The text of a condition's value as the column's type wants it; "in" takes a comma list. */
export function typedValue(
  c: Condition,
  type: DatasetColumn['type'] | undefined,
): WhereClause['value'] {
  const one = (raw: string): string | number | boolean => {
    const t = raw.trim();
    if ((type === 'integer' || type === 'real') && t !== '' && !Number.isNaN(Number(t)))
      return Number(t);
    if (type === 'boolean' && (t === 'true' || t === 'false')) return t === 'true';
    return t;
  };
  if (c.op === 'is_null' || c.op === 'is_not_null') return undefined;
  return c.op === 'in' || c.op === 'not_in' ? c.value.split(',').map(one) : one(c.value);
}

/** The POST /v1/exports body that made an export, rebuilt from the export itself. */
export function requestOf(e: Export): ExportCreate {
  const common = { name: e.name };
  if (e.source.type === 'provider')
    return { provider: e.source.provider_id, params: e.params ?? {}, ...common };
  return {
    dataset: e.source.dataset,
    format: e.format as 'csv' | 'jsonl',
    compression: e.compression as 'gzip' | 'none',
    compression_level: e.compression_level,
    ...(e.columns ? { columns: e.columns } : {}),
    ...(e.filter ? { filter: e.filter as ExportCreate['filter'] } : {}),
    ...common,
  };
}

/** A dataset name the API accepts, from a file name: "Leads 2026.csv.gz" -> "Leads_2026". */
export function nameFromFile(path: string): string {
  const base = splitPath(path).name.replace(/(\.(csv|jsonl|ndjson|json|txt))?(\.gz)?$/i, '');
  const clean = base.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z]+/, '');
  return (clean || 'dataset').slice(0, 63);
}
