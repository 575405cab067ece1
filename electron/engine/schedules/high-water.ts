// Incremental runs: the highest value of the schedule's mark column in a completed run's file
// (the next run exports rows above it), and the condition that selects those rows.
import type { WhereClause } from '../../../shared/schemas/exports.ts';
import { normalizeTimestamp } from '../datasets/values.ts';
import { readRows } from './run-file-rows.ts';

/** Column types a high-water mark can follow: a growing id or a time. */
export const markTypes = ['integer', 'real', 'timestamp'] as const;

export interface HighestJob {
  readonly path: string;
  readonly column: string;
}

export interface HighestValue {
  /** The highest value seen, in the JSON type a filter takes; null when no row had one. */
  readonly value: number | string | null;
  readonly rows: number;
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * A cell as a comparable value: a number (an id column; CSV cells are text) or a timestamp in
 * the engine's canonical form (which sorts as text); undefined for empty or unreadable cells.
 */
function valueOf(v: unknown): number | string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v === '') return undefined;
  if (NUMBER.test(v)) return Number(v);
  return normalizeTimestamp(v);
}

export async function highestValue(job: HighestJob): Promise<HighestValue> {
  let best: number | string | null = null;
  let rows = 0;
  await readRows(job.path, (row) => {
    rows++;
    const v = valueOf(row[job.column]);
    if (v !== undefined && (best === null || (typeof v === typeof best && v > best))) best = v;
  });
  return { value: best, rows };
}

/** The condition of an incremental run: rows strictly above the previous run's mark. */
export const aboveMark = (column: string, mark: number | string): WhereClause => ({
  column,
  op: 'gt',
  value: mark,
});
