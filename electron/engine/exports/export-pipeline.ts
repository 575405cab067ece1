// One local export, start to end: rows -> csv/jsonl -> gzip -> name.part -> fsync -> rename.
// Runs inside the export worker thread; kept apart from the thread entry so it can be read alone.
//
// Speed: this thread reads and encodes rows while libuv's pool deflates earlier
// blocks (parallel-gzip.ts), so both cores work. Memory holds a few blocks, whatever the size.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { resourceLimits } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { fsyncDir, writeNewFileSynced } from '../safety/atomic-file.ts';
import { csvField, csvRowWriter, encoderFor } from './encoders.ts';
import { LANES, laneWindows, rangeSqlOf, rowidSpan, walksRowidRange } from './encode-lanes.ts';
import { datasetConnection, releaseDatasetConnection } from './dataset-connections.ts';
import { FILL_DONE, FILL_FULL, FILL_TOO_LARGE, openNativeCsv } from './native-rows.ts';
import { gzipWhole, parallelGzip, plainBlocks, type BlockSink } from './parallel-gzip.ts';
import { BATCH_ROWS, rowBatches } from './row-batches.ts';
import { DATA_TABLE } from '../datasets/dataset-file.ts';
import { zstdBlocks } from './zstd-blocks.ts';
import type {
  ExportPhases,
  ExportWorkerInput,
  ExportWorkerMessage,
} from './export-worker-types.ts';

export type { ExportPhases, ExportWorkerInput, ExportWorkerMessage };

// Measured on 2 cores (2M rows): 1 MiB blocks and 3 in flight keep the pool busy while this thread
// encodes; smaller blocks cost more round trips, more in flight only adds memory.
const BLOCK_BYTES = 1024 * 1024;
const IN_FLIGHT = 3;
// JSON Lines rows are joined into short strings first: one buffer write per ~8 KiB instead of
// per row. Longer strings cost more to flatten (64 KiB: about 15 % more for joining and writing).
// CSV rows are written into the block field by field (csvRowWriter).
const TEXT_CHARS = 8 * 1024;
// Text a page of rows may encode to: rows of ordinary width fill BATCH_ROWS long before this.
const PAGE_CHARS = 1024 * 1024;
// Lanes are off unless asked for (laneMinRows). On an idle 2-core machine they cut this thread's
// part of a 2,000,000-row zstd export by about a third, but their two worker heaps lift the
// server's peak RSS past the 250 MB the export memory target allows (297 MB measured, with the
// window buffers reused), and on a loaded machine the single zstd stream then falls behind them.
const LANE_MIN_ROWS = Number.POSITIVE_INFINITY;

// The ring of the last export that ended well, for the next one on this thread (one export at a
// time per thread). Allocating 4 MiB per export made a stream of small exports mostly garbage
// collection. A failed export's ring is dropped: a block of it may still be deflating.
let spareRing: Buffer[] | null = null;
function takeRing(blockBytes: number): Buffer[] {
  const spare = spareRing;
  spareRing = null;
  if (spare && spare[0]!.length === blockBytes) return spare;
  return Array.from({ length: IN_FLIGHT + 1 }, () => Buffer.allocUnsafeSlow(blockBytes));
}

// An export that ends within this long tells nothing on the way, only its end: a stream of small
// exports then costs one message each, not four. Its first stage (counting rows) is the one the
// queue stores as it starts it (local-job.ts `firstStage`).
const QUIET_MS = 50;

/**
 * This thread's heap for rows (the worker's old generation, in MB), and the most bytes of values a
 * row may hold to become JavaScript values here: a quarter of it, since a row is copied at least
 * once on its way out. A worker that runs out of memory is meant to stop alone, but V8 may abort
 * the whole process instead (worse the larger one allocation is over the limit), so a row past
 * this is refused before it is made, not left to find out.
 */
function rowHeap(): { mb: number; handLimit: number } {
  const mb =
    resourceLimits.maxOldGenerationSizeMb ??
    Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  return { mb, handLimit: Math.floor((mb * 2 ** 20) / 4) };
}

const diskFull = () =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

export async function runExport(
  input: ExportWorkerInput,
  post: (m: ExportWorkerMessage) => void,
): Promise<ExportWorkerMessage> {
  const startedAt = performance.now();
  const quiet = () => performance.now() - startedAt < QUIET_MS;
  const part = input.finalPath + '.part';
  // Set by the first write (a closure): the cast keeps TypeScript from narrowing it to null here.
  let fh = null as Awaited<ReturnType<typeof open>> | null;
  let db: Database.Database | null = null;
  try {
    // The export's folder is made here, on this thread, not on the engine's.
    mkdirSync(dirname(input.finalPath), { recursive: true });
    db = datasetConnection(input.datasetFile);
    const total = (db.prepare(input.countSql).get(...input.params) as { n: number }).n;
    if (total > input.maxRows) {
      return {
        type: 'error',
        code: 'QUERY_TOO_BROAD',
        message: `The filter matches ${total.toLocaleString('en-US')} rows, more than the maximum of ${input.maxRows.toLocaleString('en-US')}. Add narrower constraints.`,
      };
    }
    const hash = createHash('sha256');
    let bytes = 0;
    // Opened at the first write: an export that fits one block is written in one go (below).
    const write = async (chunk: Buffer): Promise<void> => {
      if (input.failAfterBytes !== undefined && bytes + chunk.length > input.failAfterBytes)
        throw diskFull();
      const file = (fh ??= await open(part, 'wx', 0o600));
      hash.update(chunk);
      bytes += chunk.length;
      for (let off = 0; off < chunk.length;) {
        off += (await file.write(chunk, off, chunk.length - off)).bytesWritten;
      }
    };
    const sink: BlockSink =
      input.compression === 'gzip'
        ? parallelGzip(input.level, IN_FLIGHT, write)
        : input.compression === 'zstd'
          ? zstdBlocks(input.level, write)
          : plainBlocks(write);

    const encoder = encoderFor(input.format, input.columns);
    const direct = input.format === 'csv' ? csvRowWriter(input.columns) : null;
    const blockBytes = input.blockBytes ?? BLOCK_BYTES;
    // Rows are written into a few reused buffers: rows die young, so the heap stays small and
    // flat, and the sink holds at most IN_FLIGHT blocks once push() resolves.
    const ring = takeRing(blockBytes);
    let turn = 0;
    let block = ring[0]!;
    let used = 0;
    // Whether a block has gone to the sink: until then the whole export is in the first block.
    let pushed = false;
    const flushBlock = async () => {
      if (used === 0) return;
      pushed = true;
      await sink.push(block.subarray(0, used));
      turn = (turn + 1) % ring.length;
      block = ring[turn]!;
      used = 0;
    };
    const append = async (s: string) => {
      // UTF-8 takes at most 3 bytes per UTF-16 unit; count exactly only when that might not fit.
      const size = s.length * 3 <= block.length - used ? 0 : Buffer.byteLength(s);
      if (size > block.length - used) {
        await flushBlock();
        // A text longer than a block (a huge field) goes out on its own.
        if (size > block.length) {
          pushed = true;
          return sink.push(Buffer.from(s, 'utf8'));
        }
      }
      used += block.write(s, used);
    };
    // Bytes from a lane, copied into the blocks (which keep their size whatever a lane sends).
    const appendBytes = async (bytes: Buffer) => {
      for (let off = 0; off < bytes.length;) {
        if (used === block.length) await flushBlock();
        const n = bytes.copy(block, used, off);
        used += n;
        off += n;
      }
    };

    let rows = 0;
    let lastPost = Date.now();
    // The header goes into the first block at once; text holds only rows joined as strings.
    await append(encoder.header);
    let text = '';
    if (!quiet()) post({ type: 'progress', rows, total, bytes, stage: 'writing' });
    const t0 = performance.now();
    let sqliteMs = 0;
    let handoffMs = 0;
    let laneWaitMs = 0;
    const report = () => {
      const now = Date.now();
      if (now - lastPost >= input.progressMs && !quiet()) {
        lastPost = now;
        post({ type: 'progress', rows, total, bytes, stage: 'writing' });
      }
    };
    // Not for gzip: deflate on the pool already keeps the second core busy; lanes only add threads
    // competing with it (measured on 2 cores: more CPU in all, no shorter export). The checks
    // that read the table (its rowid span, the query's plan) only for an export large enough.
    const rangeSql = input.keysetSql === null ? null : rangeSqlOf(input.keysetSql);
    const span =
      (input.compression !== 'gzip' || input.laneMinRows !== undefined) &&
      rangeSql !== null &&
      total >= (input.laneMinRows ?? LANE_MIN_ROWS) &&
      walksRowidRange(db, rangeSql, input.params)
        ? rowidSpan(db, DATA_TABLE)
        : null;
    const lanes = span !== null && rangeSql !== null;
    if (lanes) {
      const setup = {
        datasetFile: input.datasetFile,
        rangeSql,
        params: input.params,
        columns: input.columns,
        format: input.format,
      };
      let waitFrom = performance.now();
      for await (const w of laneWindows(setup, span)) {
        const got = performance.now();
        laneWaitMs += got - waitFrom;
        await appendBytes(w.bytes);
        handoffMs += performance.now() - got;
        rows += w.rows;
        report();
        waitFrom = performance.now();
      }
    }
    /**
     * A CSV row that may not fit the block: the block goes first; a row larger than a block goes
     * out field by field, never as one string (joining a huge field into a line would copy it on
     * the heap, and two copies of a row near the worker's heap limit abort the process instead of
     * failing the export). Returns the characters written.
     */
    const placeRow = async (values: readonly unknown[], need: number): Promise<number> => {
      const h = performance.now();
      let chars = 0;
      if (need > block.length) {
        for (let i = 0; i < input.columns.length; i++) {
          if (i > 0) await append(',');
          const field = csvField(values[i], input.columns[i]!.type);
          chars += field.length + 1;
          await append(field);
        }
        await append('\r\n');
      } else {
        if (need > block.length - used) await flushBlock();
        const at = direct!.write(values, block, used);
        chars = at - used;
        used = at;
      }
      handoffMs += performance.now() - h;
      return chars;
    };
    // CSV read and encoded in C (native-rows.ts) when it was built; the same bytes.
    const heap = rowHeap();
    const native =
      lanes || direct === null || input.native === false
        ? null
        : openNativeCsv(
            input.datasetFile,
            input.selectSql,
            input.params,
            input.columns,
            heap.handLimit,
          );
    if (native !== null) {
      try {
        let mark = performance.now();
        for (;;) {
          const r = native.fill(block, used);
          used = r.end;
          rows += r.rows;
          sqliteMs += performance.now() - mark;
          if (r.values !== undefined) {
            await placeRow(r.values, direct!.bound(r.values));
            rows++;
          } else if (r.status === FILL_FULL) {
            const h = performance.now();
            await flushBlock();
            handoffMs += performance.now() - h;
          } else if (r.status === FILL_DONE) break;
          else if (r.status === FILL_TOO_LARGE) {
            const mb = (r.rowBytes / 2 ** 20).toFixed(1);
            throw new Error(
              `Row ${(rows + 1).toLocaleString('en-US')} of the export holds ${mb} MB of values, more than a quarter of the export's ${heap.mb} MB of memory: it is too large to export.`,
            );
          }
          report();
          mark = performance.now();
        }
      } finally {
        native.close();
      }
    }

    let pageRows = BATCH_ROWS;
    const batches =
      lanes || native !== null
        ? []
        : rowBatches(db, input.selectSql, input.keysetSql, input.params, () => pageRows);
    let mark = performance.now();
    for (const batch of batches) {
      const stepped = performance.now();
      sqliteMs += stepped - mark;
      let chars = 0;
      if (direct !== null) {
        // CSV rows go straight into the block; a row that may not fit goes through placeRow.
        for (const values of batch) {
          const need = direct.bound(values);
          if (need > block.length - used) {
            chars += await placeRow(values, need);
            continue;
          }
          const at = direct.write(values, block, used);
          chars += at - used;
          used = at;
        }
      } else {
        for (const values of batch) {
          const line = encoder.row(values);
          chars += line.length;
          text += line;
          // Checked per row, so wide rows never pile up into one huge string.
          if (text.length >= TEXT_CHARS) {
            const h = performance.now();
            await append(text);
            handoffMs += performance.now() - h;
            text = '';
          }
        }
      }
      rows += batch.length;
      // The next page holds about PAGE_CHARS of text: 1,000 ordinary rows, fewer wide ones.
      pageRows = Math.floor((PAGE_CHARS * batch.length) / Math.max(1, chars));
      report();
      mark = performance.now();
    }
    const h = performance.now();
    // The whole export fits its first block: compressed and written at once, on this thread, with
    // no trip through libuv's pool (the same bytes: one gzip block, as parallelGzip writes it).
    const whole =
      !pushed && input.compression !== 'zstd' && Buffer.byteLength(text) <= block.length - used;
    if (whole) {
      used += block.write(text, used);
      text = '';
      const raw = block.subarray(0, used);
      const out = input.compression === 'gzip' ? gzipWhole(raw, input.level) : raw;
      if (input.failAfterBytes !== undefined && out.length > input.failAfterBytes) throw diskFull();
      hash.update(out);
      bytes = out.length;
      writeNewFileSynced(part, out);
    } else {
      await append(text);
      await flushBlock();
      await sink.end();
    }
    handoffMs += performance.now() - h;
    const totalMs = performance.now() - t0;
    const phases: ExportPhases = {
      reader: native !== null ? 'native' : lanes ? 'lanes' : 'js',
      lanes: lanes ? LANES : 0,
      laneWaitMs: Math.round(laneWaitMs),
      sqliteMs: Math.round(sqliteMs),
      encodeMs: Math.round(totalMs - sqliteMs - handoffMs - laneWaitMs),
      handoffMs: Math.round(handoffMs),
      compressMs: Math.round(sink.busyMs?.() ?? 0),
      totalMs: Math.round(totalMs),
    };
    if (!quiet()) post({ type: 'progress', rows, total, bytes, stage: 'finishing' });
    if (fh !== null) {
      await fh.sync();
      await fh.close();
      fh = null;
      await rename(part, input.finalPath);
    } else renameSync(part, input.finalPath);
    fsyncDir(dirname(input.finalPath));
    // Every block has been written: the next export on this thread may have the buffers.
    spareRing = ring;
    return { type: 'done', rows, bytes, sha256: hash.digest('hex'), phases };
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await rm(part, { force: true });
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOSPC' || e.code === 'EDQUOT') {
      return {
        type: 'error',
        code: 'DISK_FULL',
        message:
          'The disk is full: the export could not be written. Free some space and recreate it.',
      };
    }
    return { type: 'error', code: 'INTERNAL', message: e.message };
  } finally {
    // The connection stays open for the next export on this thread (dataset-connections.ts).
    if (db !== null) releaseDatasetConnection(db);
  }
}
