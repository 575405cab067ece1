// Incremental runs: the highest value of the schedule's mark column in a completed run's file
// (the next run exports rows above it), and the condition that selects those rows.
import type { WhereClause } from '../../../shared/schemas/exports.ts';
import { normalizeTimestamp } from '../datasets/values.ts';
import { readRows } from './run-file-rows.ts';

/** Column types a high-water mark can follow: a growing id or a time. */
export const markTypes = ['integer', 'real', 'timestamp'] as const;
export type MarkType = (typeof markTypes)[number];

export interface HighestJob {
  readonly path: string;
  readonly column: string;
  readonly type: MarkType;
}

export interface HighestValue {
  /** The highest value seen, in the JSON type a filter takes; null when no row had one. */
  readonly value: number | string | null;
  readonly rows: number;
}

/** A cell as a comparable value of the column's type; undefined for empty or unreadable cells. */
function valueOf(type: MarkType, v: unknown): number | string | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (type === 'timestamp') return typeof v === 'string' ? normalizeTimestamp(v) : undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export async function highestValue(job: HighestJob): Promise<HighestValue> {
  let best: number | string | null = null;
  let rows = 0;
  await readRows(job.path, (row) => {
    rows++;
    const v = valueOf(job.type, row[job.column]);
    if (v !== undefined && (best === null || v > best)) best = v;
  });
  return { value: best, rows };
}

/** The condition of an incremental run: rows strictly above the previous run's mark. */
export const aboveMark = (column: string, mark: number | string): WhereClause => ({
  column,
  op: 'gt',
  value: mark,
});
