// Reading and encoding a large export on two threads (lanes) while the export thread only joins
// their bytes in order, compresses and writes. Each lane is a worker thread with its own read-only
// connection; the rows are cut into windows of rowid, window k going to lane k % LANES, so the
// file's bytes are the same as one thread would write.
//
// Why: reading rows (SQLite stepping, values into JS) and encoding them cost more than zstd, and
// about as much as deflate, so one thread doing both bounds the whole export on two cores.
import { Worker } from 'node:worker_threads';
import { workerUrl } from '../worker-url.ts';
import type Database from 'better-sqlite3';
import type { EncoderColumn } from './encoders.ts';

export const LANES = 2;
/** Text a window should hold; the next window's width in rowids follows the bytes seen so far. */
const WINDOW_BYTES = 1024 * 1024;
const FIRST_WINDOW_ROWIDS = 1024;
/** Windows given to one lane before it answers the first: enough that a lane never waits. */
const AHEAD = 2;

/** What a lane needs to open the dataset and encode windows of it. */
export interface LaneSetup {
  readonly datasetFile: string;
  /** The rows of one rowid window (`rowid > ? AND rowid <= ?`), then a page size. */
  readonly rangeSql: string;
  readonly params: unknown[];
  readonly columns: EncoderColumn[];
  readonly format: 'csv' | 'jsonl';
}

/** A window to encode; `reuse` hands back the memory of a window already consumed. */
export type LaneRequest = { seq: number; after: number; upTo: number; reuse?: ArrayBuffer };
export type LaneReply =
  | { type: 'window'; seq: number; bytes: Uint8Array; rows: number }
  | { type: 'error'; message: string };

/**
 * The keyset page query limited to a rowid window: `... rowid > ? AND rowid <= ? ORDER BY rowid
 * LIMIT ?`; null when the keyset query does not end the way keysetSql (row-batches.ts) writes it.
 */
export function rangeSqlOf(keysetSql: string): string | null {
  const tail = ' rowid > ? ORDER BY rowid LIMIT ?';
  if (!keysetSql.endsWith(tail)) return null;
  return keysetSql.slice(0, -tail.length) + ' rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?';
}

/**
 * The dataset's lowest and highest rowid, or null when it is empty. Two queries: SQLite answers a
 * lone min() or max() of rowid from the b-tree's edge, but both in one query scan the whole table.
 */
export function rowidSpan(db: Database.Database, table: string): { lo: number; hi: number } | null {
  const edge = (fn: 'min' | 'max') =>
    (db.prepare(`SELECT ${fn}(rowid) AS v FROM ${table}`).get() as { v: number | null }).v;
  const lo = edge('min');
  const hi = edge('max');
  return lo === null || hi === null ? null : { lo, hi };
}

export interface LaneWindow {
  /** Valid until the consumer asks for the next window: its memory then goes back to a lane. */
  readonly bytes: Buffer;
  readonly rows: number;
}

/**
 * The encoded windows from `lo` to `hi` in rowid order, read on LANES worker threads. At most
 * AHEAD windows per lane are requested beyond the one being consumed, so memory stays a few MB.
 * Stopping early (return/throw in the consumer) terminates the lanes.
 */
export async function* laneWindows(
  setup: LaneSetup,
  span: { lo: number; hi: number },
  lanes = LANES,
  windowBytes = WINDOW_BYTES,
): AsyncGenerator<LaneWindow> {
  const file = workerUrl('encode-lane-worker', import.meta.url);
  const workers = Array.from(
    { length: lanes },
    () =>
      new Worker(file, {
        workerData: setup,
        // A lane holds a few windows of text at a time: small heaps keep the export's memory flat.
        resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 48 },
      }),
  );
  // seq -> its reply (or the error that ends the export).
  const waiting = new Map<number, (r: LaneWindow | Error) => void>();
  const arrived = new Map<number, LaneWindow | Error>();
  const settle = (seq: number, r: LaneWindow | Error) => {
    const w = waiting.get(seq);
    if (w) {
      waiting.delete(seq);
      w(r);
    } else arrived.set(seq, r);
  };
  let failure: Error | null = null;
  const fail = (err: Error) => {
    failure ??= err;
    for (const [seq, w] of waiting) {
      waiting.delete(seq);
      w(failure);
    }
  };
  for (const w of workers) {
    w.on('message', (m: LaneReply) => {
      if (m.type === 'error') fail(new Error(m.message));
      else
        settle(m.seq, {
          bytes: Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength),
          rows: m.rows,
        });
    });
    w.on('error', (err) => fail(err));
    w.on('exit', (code) => {
      if (code !== 0) fail(new Error(`an export lane stopped (exit code ${code})`));
    });
  }
  const next = (seq: number): Promise<LaneWindow> => {
    if (failure) return Promise.reject(failure);
    const have = arrived.get(seq);
    if (have) {
      arrived.delete(seq);
      return have instanceof Error ? Promise.reject(have) : Promise.resolve(have);
    }
    return new Promise((resolve, reject) =>
      waiting.set(seq, (r) => (r instanceof Error ? reject(r) : resolve(r))),
    );
  };

  let after = span.lo - 1;
  let width = FIRST_WINDOW_ROWIDS;
  let sent = 0;
  const widths = new Map<number, number>();
  // Window memory goes back and forth (moved, never copied): the lanes allocate a few buffers once
  // instead of one per window, which the export thread would only free at its next full GC.
  const request = (reuse?: ArrayBuffer) => {
    if (after >= span.hi) return;
    const upTo = Math.min(span.hi, after + width);
    const seq = sent++;
    widths.set(seq, upTo - after);
    const req: LaneRequest = reuse ? { seq, after, upTo, reuse } : { seq, after, upTo };
    workers[seq % lanes]!.postMessage(req, reuse ? [reuse] : []);
    after = upTo;
  };
  let seenBytes = 0;
  let seenRowids = 0;
  try {
    for (let i = 0; i < lanes * (AHEAD + 1); i++) request();
    for (let seq = 0; seq < sent; seq++) {
      const w = await next(seq);
      // Later windows are as wide as the rowids that make about WINDOW_BYTES so far.
      seenBytes += w.bytes.length;
      seenRowids += widths.get(seq) ?? 0;
      widths.delete(seq);
      width = Math.max(1, Math.floor((windowBytes * seenRowids) / Math.max(1, seenBytes)));
      yield w;
      request(w.bytes.buffer as ArrayBuffer);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Whether SQLite answers the window query by walking rowid (no index, no sort of the matches). */
export function walksRowidRange(
  db: Database.Database,
  rangeSql: string,
  params: readonly unknown[],
): boolean {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${rangeSql}`).all(...params, 0, 1, 1) as {
    detail: string;
  }[];
  return plan.length > 0 && !plan.some((p) => /TEMP B-TREE|USING (COVERING )?INDEX/.test(p.detail));
}
