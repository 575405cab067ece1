// Worker thread for one local export: rows -> csv/jsonl -> gzip -> name.part -> fsync -> rename.
// Encoding runs on this thread while zlib deflates on libuv's pool, so both cores work.
import { createHash } from 'node:crypto';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { createGzip } from 'node:zlib';
import Database from 'better-sqlite3';
import { encoderFor, type EncoderColumn } from './encoders.ts';
import { fsyncDir } from '../storage/files.ts';

export interface ExportWorkerInput {
  readonly datasetFile: string;
  readonly selectSql: string;
  readonly countSql: string;
  readonly params: unknown[];
  readonly columns: EncoderColumn[];
  readonly format: 'csv' | 'jsonl';
  readonly compression: 'gzip' | 'none';
  readonly level: number;
  readonly finalPath: string;
  readonly maxRows: number;
  readonly progressMs: number;
  /** Test seam: fail writes with ENOSPC after this many bytes. */
  readonly failAfterBytes?: number;
}

export type ExportWorkerMessage =
  | { type: 'progress'; rows: number; total: number; bytes: number; stage: string }
  | { type: 'done'; rows: number; bytes: number; sha256: string }
  | { type: 'error'; code: string; message: string };

const CHUNK_CHARS = 512 * 1024;

async function run(input: ExportWorkerInput): Promise<ExportWorkerMessage> {
  const post = (m: ExportWorkerMessage) => parentPort?.postMessage(m);
  const db = new Database(input.datasetFile, { readonly: true, fileMustExist: true });
  const part = input.finalPath + '.part';
  try {
    post({ type: 'progress', rows: 0, total: 0, bytes: 0, stage: 'counting rows' });
    const total = (db.prepare(input.countSql).get(...input.params) as { n: number }).n;
    if (total > input.maxRows) {
      return {
        type: 'error',
        code: 'QUERY_TOO_BROAD',
        message: `The filter matches ${total.toLocaleString('en-US')} rows, more than the maximum of ${input.maxRows.toLocaleString('en-US')}. Add narrower constraints.`,
      };
    }
    const encoder = encoderFor(input.format, input.columns);
    const stmt = db.prepare(input.selectSql).raw(true);
    let rows = 0;
    let bytes = 0;
    let lastPost = Date.now();

    function* chunks(): Generator<Buffer> {
      let buf = encoder.header;
      for (const values of stmt.iterate(...input.params) as Iterable<unknown[]>) {
        buf += encoder.row(values);
        rows++;
        if (buf.length >= CHUNK_CHARS) {
          yield Buffer.from(buf, 'utf8');
          buf = '';
          const now = Date.now();
          if (now - lastPost >= input.progressMs) {
            lastPost = now;
            post({ type: 'progress', rows, total, bytes, stage: 'writing rows' });
          }
        }
      }
      if (buf.length > 0) yield Buffer.from(buf, 'utf8');
    }

    const hash = createHash('sha256');
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        if (input.failAfterBytes !== undefined && bytes > input.failAfterBytes) {
          cb(
            Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
          );
          return;
        }
        cb(null, chunk);
      },
    });
    const out = createWriteStream(part, { flags: 'wx', mode: 0o600, flush: true });
    const source = Readable.from(chunks(), { objectMode: false, highWaterMark: 4 });
    if (input.compression === 'gzip') {
      await pipeline(source, createGzip({ level: input.level, chunkSize: 256 * 1024 }), meter, out);
    } else {
      await pipeline(source, meter, out);
    }
    post({ type: 'progress', rows, total, bytes, stage: 'finishing' });
    renameSync(part, input.finalPath);
    fsyncDir(dirname(input.finalPath));
    return { type: 'done', rows, bytes, sha256: hash.digest('hex') };
  } catch (err) {
    rmSync(part, { force: true });
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
    db.close();
  }
}

if (parentPort) {
  const result = await run(workerData as ExportWorkerInput);
  parentPort.postMessage(result);
}
