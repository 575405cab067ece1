// Worker thread entry of one export lane (encode-lanes.ts): opens the dataset read-only and, for
// each window of rowids it is sent, reads the rows in keyset pages, encodes them and sends the
// bytes back (moved, not copied).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { encoderFor } from './encoders.ts';
import type { LaneReply, LaneRequest, LaneSetup } from './encode-lanes.ts';
import { BATCH_ROWS } from './row-batches.ts';

// Rows are joined into short strings first: one buffer write per ~64 KiB instead of per row.
const TEXT_CHARS = 64 * 1024;
// Text a page of rows may encode to (as in export-pipeline.ts).
const PAGE_CHARS = 1024 * 1024;

if (parentPort) {
  const port = parentPort;
  const setup = workerData as LaneSetup;
  const db = new Database(setup.datasetFile, { readonly: true, fileMustExist: true });
  // Every page is read once: a page cache only holds memory.
  db.pragma('cache_size = -1024');
  const page = db.prepare(setup.rangeSql).raw(true);
  const encoder = encoderFor(setup.format, setup.columns);
  let pageRows = BATCH_ROWS;
  // Buffers of consumed windows, handed back with later requests (encode-lanes.ts).
  const spare: Buffer[] = [];

  const encodeWindow = ({ seq, after, upTo }: LaneRequest): LaneReply => {
    let out = spare.pop() ?? Buffer.allocUnsafeSlow(256 * 1024);
    let used = 0;
    const append = (s: string) => {
      if (s.length * 3 > out.length - used) {
        const size = Buffer.byteLength(s);
        if (size > out.length - used) {
          const bigger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, used + size));
          out.copy(bigger, 0, 0, used);
          out = bigger;
        }
      }
      used += out.write(s, used);
    };
    let rows = 0;
    let last = after;
    let text = '';
    for (;;) {
      const limit = Math.max(1, Math.min(BATCH_ROWS, pageRows));
      const batch = page.all(...setup.params, last, upTo, limit) as unknown[][];
      let chars = 0;
      for (const values of batch) {
        const line = encoder.row(values);
        chars += line.length;
        text += line;
        if (text.length >= TEXT_CHARS) {
          append(text);
          text = '';
        }
      }
      rows += batch.length;
      if (batch.length > 0) {
        pageRows = Math.floor((PAGE_CHARS * batch.length) / Math.max(1, chars));
        const row = batch[batch.length - 1]!;
        last = row[row.length - 1] as number;
      }
      if (batch.length < limit) break;
    }
    append(text);
    const bytes = new Uint8Array(out.buffer, 0, used);
    return { type: 'window', seq, bytes, rows };
  };

  port.on('message', (req: LaneRequest) => {
    if (req.reuse) spare.push(Buffer.from(req.reuse));
    try {
      const reply = encodeWindow(req);
      port.postMessage(reply, reply.type === 'window' ? [reply.bytes.buffer as ArrayBuffer] : []);
    } catch (err) {
      port.postMessage({ type: 'error', message: (err as Error).message } satisfies LaneReply);
    }
  });
}
