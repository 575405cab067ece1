// The reading side of an import: checks each value against its column's inferred type, widens
// the type when a value does not fit, and hands rows to the sink in batches.
import type { ColumnType } from '../../../shared/schemas/datasets.ts';
import { uniqueColumnName } from './dataset-file.ts';
import { ImportError } from './import-error.ts';
import type { Sink } from './sink.ts';
import { SEP, type SinkResult } from './table-sink.ts';
import {
  BOOLEAN_CODE,
  INTEGER_CODE,
  REAL_CODE,
  TIMESTAMP_CODE,
  UNKNOWN_CODE,
  TEXT_CODE,
  classifyText,
  normalizeTimestamp,
  parseInteger,
  parseReal,
  typeCode,
  typeNames,
  widen,
} from './values.ts';

const MAX_COLUMNS = 2000;
/** Values per batch: large enough to amortise a message, small enough to keep memory flat. */
const BATCH_VALUES = 32_768;
/** A byte batch's first buffer; it grows for larger batches. */
const BATCH_BYTES = 1 << 20;

export interface InferrerOptions {
  /** The time column the request named; a value in it that is not a timestamp fails the import. */
  readonly timeColumn?: string | null;
  /** Columns the request asked to index: each must be a column of the file. */
  readonly indexColumns?: readonly string[];
}

export class RowTypeInferrer {
  private readonly sink: Sink;
  private readonly requestedTime: string | null;
  private readonly indexColumns: readonly string[];
  private readonly names: string[] = [];
  private readonly taken = new Set<string>();
  private readonly types: number[] = [];
  private readonly keyIndex = new Map<string, number>();
  private timeIndex = -1;
  /** Values of the rows not yet handed to the sink, row after row. */
  private flat: unknown[] = [];
  private k = 0;
  private batchRows = 1;
  private pending = 0;
  private rows = 0;
  /** Text batches travel as one SEP-joined string unless the input holds SEP itself. */
  private joinText = true;
  /**
   * With the native scanner (csv-scan.ts), the batch is UTF-8 bytes, fields joined by SEP: the
   * scanner writes its rows here and pushText() the rows JavaScript reads, in file order.
   */
  private out: Buffer | null = null;
  private outPos = 0;

  constructor(sink: Sink, options: InferrerOptions = {}) {
    this.sink = sink;
    this.requestedTime = options.timeColumn ?? null;
    this.indexColumns = options.indexColumns ?? [];
  }

  get rowCount(): number {
    return this.rows;
  }

  get columnCount(): number {
    return this.names.length;
  }

  /** Every column's type code so far (values.ts). */
  get typeCodes(): readonly number[] {
    return this.types;
  }

  /** Rows per batch. */
  get batchRowLimit(): number {
    return this.batchRows;
  }

  /** Adds a column (a CSV header field or a new JSON key); returns its index. */
  addColumn(raw: string, line: number): number {
    if (this.names.length >= MAX_COLUMNS)
      throw new ImportError(`line ${line}: more than ${MAX_COLUMNS} columns`);
    this.flush();
    const name = uniqueColumnName(raw, this.names.length, this.taken);
    const index = this.names.length;
    this.names.push(name);
    this.types.push(UNKNOWN_CODE);
    this.keyIndex.set(raw, index);
    if (this.requestedTime !== null && name === this.requestedTime) {
      this.timeIndex = index;
      this.types[index] = TIMESTAMP_CODE;
    }
    this.sink.addColumn(name);
    this.batchRows = Math.max(1, Math.floor(BATCH_VALUES / this.names.length));
    return index;
  }

  /** Checks the requested time and index columns against the header, before any row is read. */
  checkRequestedColumns(line: number): void {
    if (this.requestedTime !== null && this.timeIndex === -1)
      throw new ImportError(`line ${line}: time_column "${this.requestedTime}" is not a column`);
    const missing = this.missingIndexColumn();
    if (missing !== undefined)
      throw new ImportError(`line ${line}: index_columns: "${missing}" is not a column`);
  }

  private missingIndexColumn(): string | undefined {
    return this.indexColumns.find((c) => !this.names.includes(c));
  }

  /** From now on batches carry their values as an array (the input holds the separator). */
  keepValuesApart(): void {
    this.flush();
    this.joinText = false;
    this.out = null;
  }

  /** One CSV record whose field count the caller has checked against the header. */
  pushText(fields: string[], line: number): void {
    const types = this.types;
    for (let i = 0; i < fields.length; i++) {
      const s = fields[i];
      if (s === '') continue;
      switch (types[i]) {
        case INTEGER_CODE:
          if (parseInteger(s) === undefined) this.widenText(i, s, line);
          break;
        case REAL_CODE:
          if (parseReal(s) === undefined) this.widenText(i, s, line);
          break;
        case BOOLEAN_CODE:
          if (s !== 'true' && s !== 'false') this.widenText(i, s, line);
          break;
        case TIMESTAMP_CODE: {
          const ts = normalizeTimestamp(s);
          if (ts === undefined) this.widenText(i, s, line);
          else if (ts !== s) fields[i] = ts;
          break;
        }
        case UNKNOWN_CODE:
          this.widenText(i, s, line);
          if (types[i] === TIMESTAMP_CODE) fields[i] = normalizeTimestamp(s)!;
          break;
      }
    }
    if (this.out !== null) this.encodeRow(fields);
    else {
      const flat = this.flat;
      for (let i = 0; i < fields.length; i++) flat[this.k++] = fields[i];
    }
    this.rows++;
    if (++this.pending === this.batchRows) this.flush();
  }

  /** One JSON Lines object; keys not seen before become new columns. */
  pushJson(obj: Record<string, unknown>, line: number): void {
    this.joinText = false;
    for (const key of Object.keys(obj)) if (!this.keyIndex.has(key)) this.addColumn(key, line);
    const n = this.names.length;
    const base = this.k;
    for (let i = 0; i < n; i++) this.flat[base + i] = null;
    for (const key of Object.keys(obj)) {
      const i = this.keyIndex.get(key)!;
      this.flat[base + i] = this.jsonValue(i, obj[key], line);
    }
    this.k += n;
    this.rows++;
    if (++this.pending === this.batchRows) this.flush();
  }

  /** From now on the batch is bytes (the native scanner reads the file). */
  useBytes(): void {
    this.flush();
    this.out = Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.outPos = 0;
  }

  /** The byte batch's buffer (null unless useBytes()) and how much of it is used. */
  get bytesOut(): Buffer | null {
    return this.out;
  }

  get bytesUsed(): number {
    return this.outPos;
  }

  /** Rows in the batch not yet handed to the sink. */
  get pendingRows(): number {
    return this.pending;
  }

  /**
   * Counts rows the scanner wrote into bytesOut, which is now used up to `used`; true when that
   * made a whole batch, handed to the sink.
   */
  addScanned(rows: number, used: number): boolean {
    this.outPos = used;
    this.rows += rows;
    this.pending += rows;
    if (this.pending < this.batchRows) return false;
    this.flush();
    return true;
  }

  /** A larger buffer for the byte batch, holding what it has so far. */
  growBytes(): void {
    const out = Buffer.allocUnsafeSlow(this.out!.length * 2);
    this.out!.copy(out, 0, 0, this.outPos);
    this.out = out;
  }

  private encodeRow(fields: readonly string[]): void {
    let need = fields.length;
    for (let i = 0; i < fields.length; i++) need += fields[i]!.length * 3;
    while (this.outPos + need > this.out!.length) this.growBytes();
    const out = this.out!;
    let pos = this.outPos;
    for (let i = 0; i < fields.length; i++) {
      if (this.pending > 0 || i > 0) out[pos++] = 0;
      pos += out.write(fields[i]!, pos, 'utf8');
    }
    this.outPos = pos;
  }

  /** Hands the buffered rows to the sink. */
  flush(): void {
    if (this.pending === 0) return;
    const types = this.types.slice();
    if (this.out !== null) {
      const out = this.out;
      // A buffer of its own: a thread sink takes it over instead of copying it.
      this.out = Buffer.allocUnsafeSlow(out.length);
      this.sink.write({ types, rows: this.pending, payload: out.subarray(0, this.outPos) });
      this.outPos = 0;
    } else if (this.joinText) {
      this.flat.length = this.k;
      this.sink.write({ types, rows: this.pending, payload: this.flat.join(SEP) });
    } else {
      this.sink.write({ types, rows: this.pending, values: this.flat.slice(0, this.k) });
    }
    this.k = 0;
    this.pending = 0;
  }

  /** Flushes the last rows and settles every column's type; the sink finishes the file. */
  async finish(line: number): Promise<SinkResult> {
    if (this.names.length === 0) throw new ImportError(`line ${line}: the file has no columns`);
    if (this.requestedTime !== null && this.timeIndex === -1)
      throw new ImportError(`time_column "${this.requestedTime}" is not a column of the file`);
    const missing = this.missingIndexColumn();
    if (missing !== undefined)
      throw new ImportError(`index_columns: "${missing}" is not a column of the file`);
    this.flush();
    const types = this.types.map((t) => (t === UNKNOWN_CODE ? TEXT_CODE : t));
    const timeIndex =
      this.timeIndex !== -1 ? this.timeIndex : types.findIndex((t) => t === TIMESTAMP_CODE);
    return this.sink.finish(
      types,
      timeIndex === -1 ? null : this.names[timeIndex],
      this.indexColumns,
    );
  }

  private widenText(i: number, s: string, line: number): void {
    this.setType(i, widen(typeNames[this.types[i]], classifyText(s)), s, line);
  }

  private jsonValue(i: number, v: unknown, line: number): unknown {
    if (v === null || v === undefined || v === '') return null;
    const cur = this.types[i];
    let kind: ColumnType;
    let value: unknown = v;
    switch (typeof v) {
      case 'number':
        kind = Number.isSafeInteger(v) ? 'integer' : 'real';
        break;
      case 'boolean':
        kind = 'boolean';
        break;
      case 'string': {
        const ts =
          cur === UNKNOWN_CODE || cur === TIMESTAMP_CODE ? normalizeTimestamp(v) : undefined;
        kind = ts === undefined ? 'text' : 'timestamp';
        if (ts !== undefined) value = ts;
        break;
      }
      default:
        kind = 'text';
        value = JSON.stringify(v);
    }
    const kc = typeCode(kind);
    if (kc !== cur && !(cur === REAL_CODE && kc === INTEGER_CODE)) {
      const sample = typeof value === 'string' ? value : String(value);
      this.setType(i, widen(typeNames[cur], kind), sample, line);
    }
    // Numbers and booleans in a text column become text in the sink, batch by batch.
    return value;
  }

  private setType(i: number, to: ColumnType, sample: string, line: number): void {
    if (i === this.timeIndex && to !== 'timestamp') {
      const shown = sample.length > 60 ? `${sample.slice(0, 60)}…` : sample;
      throw new ImportError(
        `line ${line}: "${shown}" in time column "${this.names[i]}" is not an ISO 8601 timestamp`,
      );
    }
    this.types[i] = typeCode(to);
  }
}
