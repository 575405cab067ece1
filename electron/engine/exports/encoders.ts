// Row encoders for the export worker: CSV (RFC 4180) and JSON Lines. Hot path: plain string building.
import type { ColumnType } from '../../../shared/schemas/datasets.ts';

export interface EncoderColumn {
  readonly name: string;
  readonly type: ColumnType;
}

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(v: unknown, type: ColumnType): string {
  if (v === null || v === undefined) return '';
  if (type === 'boolean' && typeof v === 'number') return v ? 'true' : 'false';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  const s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('base64') : String(v);
  return NEEDS_QUOTES.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
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
