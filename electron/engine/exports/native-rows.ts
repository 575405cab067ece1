// The native CSV reader (native/csv-rows.c, built by native/build.mjs where a C compiler is):
// SQLite's rows straight into the export's blocks, the same bytes as csvRowWriter. When it was not
// built, or EXPORT_MANAGER_NATIVE=0, exports use the JavaScript encoder.
import { requireNative } from '../native-build.ts';
import type { EncoderColumn } from './encoders.ts';

interface CsvRowsAddon {
  open(
    file: string,
    sql: string,
    params: readonly unknown[],
    kinds: Uint8Array,
    handLimit: number,
  ): object;
  fill(handle: object, buf: Buffer, at: number, out: Float64Array): unknown[] | undefined;
  close(handle: object): void;
}

/**
 * fill()'s status: the next row needs a fresh block; no rows left; a row handed to JavaScript; the
 * next row would be handed over but holds more than the reader's hand limit (`rowBytes`).
 */
export const FILL_FULL = 0;
export const FILL_DONE = 1;
export const FILL_HANDED = 2;
export const FILL_TOO_LARGE = 3;

export interface NativeCsvReader {
  /**
   * Writes whole rows into `buf` from `at`. Returns the offset after them, the rows written, the
   * status, and for FILL_HANDED the next row's values (as better-sqlite3 gives them) for the
   * JavaScript writer: a blob, text that is not valid UTF-8, or a row larger than an empty block.
   */
  fill(
    buf: Buffer,
    at: number,
  ): {
    end: number;
    rows: number;
    status: number;
    values: unknown[] | undefined;
    /** For FILL_HANDED and FILL_TOO_LARGE: the row's bytes of values (numbers count 8). */
    rowBytes: number;
  };
  close(): void;
}

let missing = '';

function load(): CsvRowsAddon | null {
  const found = requireNative('csv-rows.node');
  if ('missing' in found) {
    missing = found.missing;
    return null;
  }
  return found.addon as CsvRowsAddon;
}

/** Why exports use the JavaScript encoder, or null when the native reader is there. */
export function nativeReaderMissing(): string | null {
  return load() === null ? missing : null;
}

/**
 * Opens the export's query on its own read-only connection, or null when the native reader is
 * missing or cannot take this query (a parameter it cannot bind): the JavaScript path runs it.
 * A row holding more than `handLimit` bytes of values (0: no limit) is never handed over.
 */
export function openNativeCsv(
  datasetFile: string,
  sql: string,
  params: readonly unknown[],
  columns: readonly EncoderColumn[],
  handLimit = 0,
): NativeCsvReader | null {
  const a = load();
  if (a === null) return null;
  const kinds = Uint8Array.from(columns, (c) => (c.type === 'boolean' ? 1 : 0));
  let handle: object;
  try {
    handle = a.open(datasetFile, sql, params, kinds, handLimit);
  } catch {
    return null;
  }
  const out = new Float64Array(4);
  return {
    fill(buf, at) {
      const values = a.fill(handle, buf, at, out);
      return { end: out[0]!, rows: out[1]!, status: out[2]!, values, rowBytes: out[3]! };
    },
    close: () => a.close(handle),
  };
}
