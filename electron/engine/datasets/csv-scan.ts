// The import's native CSV reading (native/csv-scan.c, in the csv-rows addon built by
// native/build.mjs): records are cut and checked in C straight from the file's bytes and go to the
// insert thread as one byte payload per batch. Records the scanner does not take (the header, a
// value that settles or widens a column's type, a timestamp to normalise, a ragged row, bad UTF-8)
// are read one by one by the JavaScript parser and inferrer, and anything odd in the syntax hands
// the rest of the file to them: one definition of the import, the same rows and errors either
// way. Without the addon (no C compiler, EXPORT_MANAGER_NATIVE=0) the JavaScript path reads all.
import { TextDecoder } from 'node:util';
import { requireNative } from '../native-build.ts';
import type { CsvParser } from './csv-parser.ts';
import type { RowTypeInferrer } from './row-type-inferrer.ts';
import { SEP } from './table-sink.ts';

type ScanCsv = (
  bytes: Uint8Array,
  pos: number,
  end: number,
  final: boolean,
  kinds: Uint8Array,
  out: Uint8Array,
  outPos: number,
  outRows: number,
  maxRows: number,
  res: Float64Array,
) => void;

/** scanCsv's status (res[4]). */
const MORE = 0;
const FULL = 1;
const DECLINE = 2;
const REST = 3;

/** An unfinished record this long goes to the JavaScript parser, which enforces its own limit. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Past this many declined records, and one in 16 rows, JavaScript reads the rest of the file. */
const MANY_DECLINES = 1000;

/** The scanner, or null when the addon is missing. */
export function loadCsvScan(): ScanCsv | null {
  const found = requireNative('csv-rows.node');
  if ('missing' in found) return null;
  const scan = (found.addon as { scanCsv?: ScanCsv }).scanCsv;
  return typeof scan === 'function' ? scan : null;
}

/**
 * Feeds a CSV file's bytes (from its very first byte) through the scanner, into the inferrer's
 * byte batch: the scanner's rows and the ones JavaScript reads share it, in file order, and the
 * batches are flushed where the JavaScript reader flushes them (every so many rows, and after
 * each chunk of the file), so a column widened later is stored as it would have been.
 */
export class NativeCsvFeed {
  private readonly scan: ScanCsv;
  private readonly inferrer: RowTypeInferrer;
  private readonly parser: CsvParser;
  private readonly res = new Float64Array(6);
  /** Bytes of a record not yet complete, as they came. */
  private pending: Uint8Array[] | null = null;
  private pendingBytes = 0;
  private waitFor = 0;
  /** Set once the rest of the file goes to the JavaScript parser. */
  private decoder: TextDecoder | null = null;
  private kinds: Uint8Array | null = null;
  /** Nothing has been consumed yet: the first record's decoding drops a byte order mark. */
  private atStart = true;
  private declined = 0;
  private scanned = 0;

  constructor(scan: ScanCsv, inferrer: RowTypeInferrer, parser: CsvParser) {
    this.scan = scan;
    this.inferrer = inferrer;
    this.parser = parser;
    inferrer.useBytes();
  }

  /** Rows the scanner read itself, records it handed to JavaScript one by one, and whether the
   * rest of the file went to JavaScript. */
  get counts(): { scanned: number; declined: number; rest: boolean } {
    return { scanned: this.scanned, declined: this.declined, rest: this.decoder !== null };
  }

  push(chunk: Uint8Array): void {
    if (this.decoder !== null) return this.jsText(this.decoder.decode(chunk, { stream: true }));
    if (this.pending === null) return this.run(chunk, false);
    // An unfinished record is scanned again only once the bytes have doubled (as the JavaScript
    // parser does): linear, not quadratic, in a long record arriving in small chunks.
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.waitFor) return;
    this.run(this.takePending(), false);
  }

  /** The end of the file: the last record; the caller ends the parser and flushes the batch. */
  end(): void {
    if (this.decoder === null && this.pending !== null) this.run(this.takePending(), true);
    if (this.decoder !== null) this.jsText(this.decoder.decode());
  }

  private takePending(): Uint8Array {
    const bytes = Buffer.concat(this.pending!);
    this.pending = null;
    this.pendingBytes = 0;
    return bytes;
  }

  private run(bytes: Uint8Array, final: boolean): void {
    const { res, inferrer } = this;
    let pos = 0;
    for (;;) {
      const out = inferrer.bytesOut;
      // Text holding NUL (the payload's separator) turned the byte batch off.
      if (out === null) return this.toJs(bytes.subarray(pos));
      this.kinds ??= Uint8Array.from(inferrer.typeCodes);
      const rows = inferrer.pendingRows;
      this.scan(
        bytes,
        pos,
        bytes.length,
        final,
        this.kinds,
        out,
        inferrer.bytesUsed,
        rows,
        inferrer.batchRowLimit - rows,
        res,
      );
      const next = res[0]!;
      if (next > pos) this.atStart = false;
      pos = next;
      this.scanned += res[2]!;
      this.parser.skipLines(res[3]!);
      const sent = inferrer.addScanned(res[2]!, res[1]!);
      const status = res[4]!;
      if (status === MORE) {
        if (pos === bytes.length) return;
        const rest = bytes.subarray(pos);
        if (rest.length > MAX_PENDING_BYTES) return this.toJs(rest);
        this.pending = [rest];
        this.pendingBytes = rest.length;
        this.waitFor = rest.length * 2;
        return;
      }
      if (status === FULL) {
        // A whole batch of rows went to the sink, or the next row needs more room.
        if (!sent) inferrer.growBytes();
        continue;
      }
      if (status === REST) return this.toJs(bytes.subarray(pos));
      if (status !== DECLINE) throw new Error(`csv-scan: unknown status ${status}`);
      // JavaScript reads this one record.
      const end = res[5]!;
      const decoder = new TextDecoder('utf-8', { ignoreBOM: !this.atStart });
      const text = decoder.decode(bytes.subarray(pos, end));
      if (text.includes(SEP)) inferrer.keepValuesApart();
      this.parser.pushWhole(text);
      this.atStart = false;
      this.kinds = null;
      pos = end;
      if (++this.declined > MANY_DECLINES && this.declined * 16 > this.scanned)
        return this.toJs(bytes.subarray(pos));
    }
  }

  /** Hands the rest of the file to the JavaScript parser (the inferrer keeps its byte batch). */
  private toJs(bytes: Uint8Array): void {
    this.pending = null;
    this.decoder = new TextDecoder('utf-8', { ignoreBOM: !this.atStart });
    this.jsText(this.decoder.decode(bytes, { stream: true }));
  }

  private jsText(text: string): void {
    if (text.includes(SEP)) this.inferrer.keepValuesApart();
    this.parser.push(text);
  }
}
