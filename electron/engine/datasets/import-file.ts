// Reads a CSV, CSV.gz or JSONL file as a stream and builds a dataset file from it (worker side).
import { closeSync, createReadStream, openSync, readSync, rmSync, statSync } from 'node:fs';
import { crashPoint } from '../safety/fault-injection.ts';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvParser } from './csv-parser.ts';
import { loadCsvScan, NativeCsvFeed } from './csv-scan.ts';
import { ImportCanceled, ImportError } from './import-error.ts';
import { JsonlParser } from './jsonl-parser.ts';
import { RowTypeInferrer } from './row-type-inferrer.ts';
import { inlineSink, threadSink, type Sink } from './sink.ts';
import { SEP, type SinkResult } from './table-sink.ts';

export interface ImportFileJob {
  /** The file to read. */
  readonly source: string;
  /** The dataset file to build (scratch space; the caller renames it once complete). */
  readonly out: string;
  /** Known from a completed export; otherwise sniffed from the content. */
  readonly format?: 'csv' | 'jsonl' | null;
  readonly timeColumn?: string | null;
  /** Columns to index after the load (each must be a column of the file). */
  readonly indexColumns?: readonly string[];
  readonly chunkBytes?: number;
  /** Insert in a second worker; by default for files over a few MB. */
  readonly sinkThread?: boolean;
  /** `false` (tests) reads CSV in JavaScript even where the native scanner is built. */
  readonly native?: boolean;
}

export interface ImportProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly rows: number;
}

/** Below this a second thread costs more to start than it saves. */
const THREAD_SINK_BYTES = 4 * 1024 * 1024;

interface RecordParser {
  push(text: string): void;
  end(): void;
  readonly currentLine: number;
}

/** Builds job.out from job.source; on any failure the partial file is removed. */
export async function importFile(
  job: ImportFileJob,
  onChunk: (p: ImportProgress) => void,
  signal?: AbortSignal,
): Promise<SinkResult> {
  const bytesTotal = statSync(job.source).size;
  const gzip = isGzip(job.source);
  const threaded = job.sinkThread ?? bytesTotal >= THREAD_SINK_BYTES;
  let sink: Sink | null = null;
  try {
    sink = threaded ? threadSink(job.out) : inlineSink(job.out);
    const inferrer = new RowTypeInferrer(sink, {
      timeColumn: job.timeColumn ?? null,
      indexColumns: job.indexColumns ?? [],
    });
    const raw = createReadStream(job.source, { highWaterMark: job.chunkBytes ?? 1 << 20 });
    let stream: Readable = raw;
    if (gzip) {
      const gunzip = createGunzip({ chunkSize: 1 << 18 });
      raw.on('error', (err) => gunzip.destroy(err));
      stream = raw.pipe(gunzip);
    }
    const decoder = new TextDecoder('utf-8');
    // CSV is read by the native scanner where it is built (csv-scan.ts), from the first byte on.
    const scan = job.format === 'jsonl' || job.native === false ? null : loadCsvScan();
    // The parser once the format is known; the native feed when it reads the bytes.
    const at: { parser: RecordParser | null; bytesFeed: NativeCsvFeed | null } = {
      parser: null,
      bytesFeed: null,
    };
    let held: Buffer[] = [];
    // Text seen before the first visible character, which tells CSV from JSON Lines.
    let head = '';
    const start = (format: 'csv' | 'jsonl', native: boolean) => {
      const made = makeParser(format, inferrer);
      at.parser = made;
      if (native && made instanceof CsvParser) {
        at.bytesFeed = new NativeCsvFeed(scan!, inferrer, made);
        at.bytesFeed.push(Buffer.concat(held));
      } else made.push(head);
      head = '';
      held = [];
    };
    const feed = (chunk: Buffer) => {
      if (at.bytesFeed !== null) return at.bytesFeed.push(chunk);
      const text = decoder.decode(chunk, { stream: true });
      if (text.includes(SEP)) inferrer.keepValuesApart();
      if (at.parser !== null) return at.parser.push(text);
      head += text;
      if (scan !== null) held.push(chunk);
      if (job.format || /[^\ufeff\s]/.test(head)) start(job.format ?? sniff(head), scan !== null);
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (signal?.aborted) throw new ImportCanceled();
        feed(chunk);
        // A batch never holds more than a chunk or so of text, whatever the rows look like.
        inferrer.flush();
        onChunk({ bytesDone: raw.bytesRead, bytesTotal, rows: inferrer.rowCount });
        await sink.drain();
        if (inferrer.rowCount > 0) crashPoint('import:part-written');
      }
    } catch (err) {
      raw.destroy();
      if (isZlibError(err))
        throw new ImportError(
          `line ${at.parser?.currentLine ?? 1}: the gzip data is invalid or truncated (${(err as Error).message})`,
        );
      throw err;
    }
    if (signal?.aborted) throw new ImportCanceled();
    if (at.bytesFeed !== null) at.bytesFeed.end();
    else {
      const text = decoder.decode();
      if (text.includes(SEP)) inferrer.keepValuesApart();
      if (at.parser !== null) at.parser.push(text);
      else head += text;
    }
    if (at.parser === null) {
      if (head === '') throw new ImportError('line 1: the file is empty');
      start(job.format ?? 'csv', false);
    }
    const p = at.parser!;
    p.end();
    if (inferrer.columnCount === 0) throw new ImportError('line 1: the file is empty');
    const result = await inferrer.finish(p.currentLine);
    sink = null;
    return result;
  } catch (err) {
    await sink?.abort();
    rmSync(job.out, { force: true });
    if ((err as { code?: unknown }).code === 'SQLITE_FULL')
      throw new ImportError('the disk is full', 'DISK_FULL');
    throw err;
  }
}

function makeParser(format: 'csv' | 'jsonl', inferrer: RowTypeInferrer): CsvParser | JsonlParser {
  if (format === 'jsonl') return new JsonlParser((obj, line) => inferrer.pushJson(obj, line));
  let columns = -1;
  return new CsvParser((fields, line) => {
    if (columns === -1) {
      for (const f of fields) inferrer.addColumn(f, line);
      inferrer.checkRequestedColumns(line);
      columns = fields.length;
      return;
    }
    if (fields.length !== columns) {
      // A blank line carries no row; with a single column it is a row whose value is empty.
      if (fields.length === 1 && fields[0] === '') return;
      throw new ImportError(`line ${line}: expected ${columns} fields, found ${fields.length}`);
    }
    inferrer.pushText(fields, line);
  });
}

/** JSON Lines when the first visible character opens an object, CSV otherwise. */
function sniff(text: string): 'csv' | 'jsonl' {
  const m = /^[\ufeff\s]*(\S)/.exec(text);
  return m?.[1] === '{' ? 'jsonl' : 'csv';
}

/** By the gzip magic bytes, never by the file name. */
function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
