// One downloaded vendor file: verified (size, sha256, gzip, rows), then moved durably to its final name.
import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueName, withHonestExtension } from './filenames.ts';
import { plainPartPath } from '../../storage/plain-parts.ts';
import { verifyFile, type VerifySettings } from './verify.ts';
import type { JobFile } from '../../jobs/job-types.ts';
import type { Logger } from '../../logger.ts';
import { fsyncDir } from '../../safety/atomic-file.ts';
import { safeUrl } from '../http-client.ts';
import type { RemoteFile } from '../remote-export.ts';

export interface PlaceInput {
  readonly part: string;
  /** The name the part was downloaded under (`name.part`). */
  readonly name: string;
  readonly file: RemoteFile;
  /** Names already used in the export folder (lowercase). */
  readonly taken: Set<string>;
  readonly exportDir: string;
  readonly exportId: string;
  readonly format: 'csv' | 'jsonl';
  /** The destination folder that gets a decompressed copy, or null. */
  readonly plainCopyDir: string | null;
  readonly verify: VerifySettings;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export async function placeVendorFile(p: PlaceInput): Promise<JobFile> {
  const { part, name, file, taken } = p;
  const v = await verifyFile(
    part,
    {
      size: file.size,
      sha256: file.sha256,
      rowCount: file.rowCount,
      gzip: /\.gz$/i.test(name) && file.filename !== null ? true : null,
      format: /\.(jsonl|ndjson)(\.gz)?$/i.test(name) ? 'jsonl' : p.format,
    },
    p.verify,
    p.signal,
    p.plainCopyDir ? plainPartPath(p.plainCopyDir, name, p.exportId) : null,
  );
  let finalName = withHonestExtension(name, v.gzip);
  if (finalName !== name) {
    taken.delete(name.toLowerCase());
    finalName = uniqueName(finalName, taken);
  }
  const fd = openSync(part, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(part, join(p.exportDir, finalName));
  fsyncDir(p.exportDir);
  p.logger.info('vendor file verified', {
    export_id: p.exportId,
    file: finalName,
    bytes: v.byteSize,
    rows: v.rowCount,
    url: safeUrl(file.url),
  });
  return {
    filename: finalName,
    byteSize: v.byteSize,
    sha256: v.sha256,
    rowCount: v.rowCount,
    plainCopy: v.plainCopy,
  };
}

export function formatSpeed(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1024 ** 2) return `${(bytesPerSecond / 1024 ** 2).toFixed(1)} MB/s`;
  if (bytesPerSecond >= 1024) return `${(bytesPerSecond / 1024).toFixed(0)} KB/s`;
  return `${Math.round(bytesPerSecond)} B/s`;
}
