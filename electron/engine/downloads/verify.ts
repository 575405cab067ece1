// Verifies a downloaded file in one streaming pass: size, sha256, gzip integrity (capped), row count.
import { createHash } from 'node:crypto';
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { JobError } from '../exports/job-types.ts';

export interface VerifySettings {
  /** Decompressed bytes one file may expand to. */
  readonly maxOutputBytes: number;
  /** Decompressed:compressed ratio allowed once past ratioFloorBytes of output (a bomb's is ~1000). */
  readonly maxRatio: number;
  readonly ratioFloorBytes: number;
}

export const defaultVerifySettings: VerifySettings = {
  maxOutputBytes: 32 * 1024 ** 3,
  maxRatio: 200,
  ratioFloorBytes: 64 * 1024 ** 2,
};

export interface VerifyExpect {
  readonly size: number | null;
  readonly sha256: string | null;
  readonly rowCount: number | null;
  /** The vendor promised gzip (by its name or its docs); null = take the bytes as they come. */
  readonly gzip: boolean | null;
  readonly format: 'csv' | 'jsonl';
}

export interface Verified {
  readonly byteSize: number;
  readonly sha256: string;
  /** Data rows (CSV: lines outside quotes, less the header; JSONL: non-empty lines). */
  readonly rowCount: number;
  readonly gzip: boolean;
}

class CapError extends Error {}

function startsWithGzipMagic(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Counts records in a byte stream without parsing it: newlines outside double quotes (RFC 4180). */
export function createRowCounter(format: 'csv' | 'jsonl') {
  let lines = 0;
  let inQuote = false;
  let lineHasContent = false;
  let bytes = 0;
  return {
    push(chunk: Buffer): void {
      bytes += chunk.length;
      if (format === 'csv' && !inQuote && chunk.indexOf(0x22) === -1) {
        // Fast path: no quotes in this chunk, so every newline ends a record.
        let i = chunk.indexOf(0x0a);
        while (i !== -1) {
          lines++;
          i = chunk.indexOf(0x0a, i + 1);
        }
        lineHasContent = chunk[chunk.length - 1] !== 0x0a;
        return;
      }
      for (const c of chunk) {
        if (c === 0x22 && format === 'csv') inQuote = !inQuote;
        if (c === 0x0a && !inQuote) {
          if (format === 'csv' || lineHasContent) lines++;
          lineHasContent = false;
        } else if (c !== 0x0d && c !== 0x20 && c !== 0x09) lineHasContent = true;
      }
    },
    rows(): number {
      const records = lines + (lineHasContent ? 1 : 0);
      return format === 'csv' ? Math.max(0, records - 1) : records;
    },
    bytes: () => bytes,
  };
}

/** Reads the file once; throws CHECKSUM_MISMATCH (or DOWNLOAD_FAILED for a bomb) on any doubt. */
export async function verifyFile(
  path: string,
  expect: VerifyExpect,
  settings: VerifySettings,
  signal: AbortSignal,
): Promise<Verified> {
  const size = statSync(path).size;
  if (expect.size !== null && size !== expect.size)
    throw new JobError(
      'CHECKSUM_MISMATCH',
      `The file has ${size} bytes, but the vendor announced ${expect.size}.`,
      { expected_size: expect.size, actual_size: size },
    );
  const gzip = size >= 2 && startsWithGzipMagic(path);
  if (expect.gzip === true && !gzip)
    throw new JobError('CHECKSUM_MISMATCH', 'The file should be gzip, but it is not.');

  const hash = createHash('sha256');
  let inBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      inBytes += chunk.length;
      cb(null, chunk);
    },
  });
  const counter = createRowCounter(expect.format);
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      counter.push(chunk);
      const out = counter.bytes();
      if (
        gzip &&
        (out > settings.maxOutputBytes ||
          (out > settings.ratioFloorBytes && out / Math.max(1, inBytes) > settings.maxRatio))
      ) {
        cb(new CapError());
        return;
      }
      cb();
    },
  });
  try {
    if (gzip) await pipeline(createReadStream(path), tap, createGunzip(), sink, { signal });
    else await pipeline(createReadStream(path), tap, sink, { signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason as Error;
    if (err instanceof CapError)
      throw new JobError(
        'DOWNLOAD_FAILED',
        `The file decompresses to more than allowed (over ${counter.bytes()} bytes from ${inBytes}): refused as a likely gzip bomb.`,
        { max_output_bytes: settings.maxOutputBytes, max_ratio: settings.maxRatio },
      );
    const code = (err as NodeJS.ErrnoException).code;
    if (code?.startsWith('Z_') || code === 'ERR_STREAM_PREMATURE_CLOSE')
      throw new JobError(
        'CHECKSUM_MISMATCH',
        `The gzip file is damaged or cut short (${(err as Error).message}).`,
        { zlib_code: code },
      );
    throw err;
  }
  const sha256 = hash.digest('hex');
  if (expect.sha256 !== null && expect.sha256.toLowerCase() !== sha256)
    throw new JobError(
      'CHECKSUM_MISMATCH',
      'The file sha256 differs from the one the vendor gave.',
      {
        expected_sha256: expect.sha256,
        actual_sha256: sha256,
      },
    );
  const rowCount = counter.rows();
  if (expect.rowCount !== null && rowCount !== expect.rowCount)
    throw new JobError(
      'CHECKSUM_MISMATCH',
      `The file holds ${rowCount} rows, but the vendor announced ${expect.rowCount}.`,
      { expected_rows: expect.rowCount, actual_rows: rowCount },
    );
  return { byteSize: size, sha256, rowCount, gzip };
}
