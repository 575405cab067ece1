// Row encoders for the export worker: CSV (RFC 4180) and JSON Lines. Hot path: plain string building.
import type { ColumnType } from '../../../shared/schemas/datasets.ts';

export interface EncoderColumn {
  readonly name: string;
  readonly type: ColumnType;
}

const NEEDS_QUOTES = /[",\r\n]/;

const quoted = (s: string): string =>
  NEEDS_QUOTES.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;

export function csvField(v: unknown, type: ColumnType): string {
  if (v === null || v === undefined) return '';
  if (type === 'boolean' && typeof v === 'number') return v ? 'true' : 'false';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return quoted(typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('base64') : String(v));
}

// Bytes a number or bigint prints to at most (-1.2345678901234567e-308 is 24; a 64-bit bigint 20).
const NUMBER_BYTES = 32;

/**
 * CSV rows written straight into a buffer, field by field: the same bytes as csvEncoder's rows
 * without building a string per row (measured on the leads data: about 15 % less time for
 * encoding and writing than rows joined into strings and then written).
 */
export interface CsvRowWriter {
  /** Bytes the row takes at most (UTF-8 is at most 3 bytes per UTF-16 unit; quotes double). */
  bound(values: readonly unknown[]): number;
  /** Writes the row (line ending included) at `at`; returns the offset after it. */
  write(values: readonly unknown[], buf: Buffer, at: number): number;
}

export function csvRowWriter(columns: readonly EncoderColumn[]): CsvRowWriter {
  const types = columns.map((c) => c.type);
  const n = types.length;
  const field = (v: unknown, type: ColumnType, buf: Buffer, at: number): number => {
    if (v === null || v === undefined) return at;
    if (typeof v === 'string') return at + buf.write(quoted(v), at);
    if (typeof v === 'number') {
      if (type === 'boolean') return at + buf.write(v ? 'true' : 'false', at, 'latin1');
      return at + buf.write(String(v), at, 'latin1');
    }
    return at + buf.write(csvField(v, type), at);
  };
  return {
    bound(values) {
      let bytes = n + 2;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v === 'string') bytes += v.length * 3 + 2;
        else if (typeof v === 'number' || typeof v === 'bigint') bytes += NUMBER_BYTES;
        else if (v !== null && v !== undefined) bytes += csvField(v, types[i]!).length * 3;
      }
      return bytes;
    },
    write(values, buf, at) {
      at = field(values[0], types[0]!, buf, at);
      for (let i = 1; i < n; i++) {
        buf[at++] = 0x2c; // ,
        at = field(values[i], types[i]!, buf, at);
      }
      buf[at++] = 0x0d;
      buf[at++] = 0x0a;
      return at;
    },
  };
}

function jsonValue(v: unknown, type: ColumnType): string {
  if (v === null || v === undefined) return 'null';
  if (type === 'boolean' && typeof v === 'number') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(
    typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('base64') : String(v),
  );
}

export interface RowEncoder {
  readonly header: string;
  /** Encodes one row (values in column order) including its line ending. */
  row(values: readonly unknown[]): string;
}

export function csvEncoder(columns: readonly EncoderColumn[]): RowEncoder {
  const types = columns.map((c) => c.type);
  const n = types.length;
  return {
    header: columns.map((c) => csvField(c.name, 'text')).join(',') + '\r\n',
    row(values) {
      let line = csvField(values[0], types[0]!);
      for (let i = 1; i < n; i++) line += ',' + csvField(values[i], types[i]!);
      return line + '\r\n';
    },
  };
}

export function jsonlEncoder(columns: readonly EncoderColumn[]): RowEncoder {
  const keys = columns.map((c, i) => (i === 0 ? '{' : ',') + JSON.stringify(c.name) + ':');
  const types = columns.map((c) => c.type);
  const n = keys.length;
  return {
    header: '',
    row(values) {
      let line = '';
      for (let i = 0; i < n; i++) line += keys[i] + jsonValue(values[i], types[i]!);
      return (n === 0 ? '{' : '') + line + '}\n';
    },
  };
}

export const encoderFor = (
  format: 'csv' | 'jsonl',
  columns: readonly EncoderColumn[],
): RowEncoder => (format === 'csv' ? csvEncoder(columns) : jsonlEncoder(columns));
