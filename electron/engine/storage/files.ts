// The file layout under the data dir (files/<export id>/<filename>) and safe name handling.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { ApiError } from '../../../shared/errors.ts';
import { isUuid } from '../ids.ts';

/** A file name we are willing to serve or write: one path segment, no traversal, no control chars. */
export function isSafeFilename(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 255 &&
    name !== '.' &&
    name !== '..' &&
    // eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
    !/[/\\\x00-\x1f:]/.test(name) &&
    !name.startsWith('.')
  );
}

/** Turns any text (an export name, a vendor's file name) into a safe file name stem. */
export function slugify(text: string, fallback = 'export'): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 100);
  return slug || fallback;
}

export function extensionFor(format: string, compression: string): string {
  const suffix = compression === 'gzip' ? '.gz' : compression === 'zstd' ? '.zst' : '';
  return `.${format === 'jsonl' ? 'jsonl' : 'csv'}${suffix}`;
}

export function contentTypeFor(filename: string): string {
  if (filename.endsWith('.gz')) return 'application/gzip';
  if (filename.endsWith('.zst')) return 'application/zstd';
  if (filename.endsWith('.jsonl')) return 'application/x-ndjson';
  if (filename.endsWith('.csv')) return 'text/csv; charset=utf-8';
  return 'application/octet-stream';
}

export interface FileStore {
  readonly root: string;
  exportDir(id: string): string;
  /** The stored file for a served request; 400 for anything that is not a plain id and name. */
  resolveFile(id: string, filename: string): string;
  /** False when it could not (EMFILE, EBUSY): never throws; the start-up sweep tries again. */
  removeExport(id: string): boolean;
  /** Start-up: `.part` files left by a crash are removed. Returns how many. */
  removePartFiles(): number;
}

export function createFileStore(root: string): FileStore {
  const rootAbs = resolve(root);
  const exportDir = (id: string) => {
    if (!isUuid(id)) throw new ApiError('INVALID_REQUEST', 'The export id is malformed.');
    return join(rootAbs, id.toLowerCase());
  };
  return {
    root: rootAbs,
    exportDir,
    resolveFile(id, filename) {
      if (!isSafeFilename(filename) || !isSafeFilename(percentDecoded(filename)))
        throw new ApiError('INVALID_REQUEST', 'The file name is malformed.');
      const path = resolve(exportDir(id), filename);
      // Belt and braces: whatever the checks above missed, nothing outside the folder opens.
      if (!path.startsWith(rootAbs + sep))
        throw new ApiError('INVALID_REQUEST', 'The file name is malformed.');
      return path;
    },
    removeExport(id) {
      const dir = exportDir(id);
      try {
        rmSync(dir, { recursive: true, force: true });
        return true;
      } catch {
        // Out of descriptors (EMFILE), a file held open on Windows (EBUSY)...: never thrown past the
        // job; the start-up sweep removes the folder of an export that is gone, failed or expired.
        return false;
      }
    },
    removePartFiles() {
      let n = 0;
      for (const dir of safeReaddir(rootAbs)) {
        const full = join(rootAbs, dir);
        for (const f of safeReaddir(full)) {
          if (f.endsWith('.part')) {
            try {
              rmSync(join(full, f), { force: true });
              n++;
            } catch {
              // left for the next start; a .part is never served
            }
          }
        }
      }
      return n;
    },
  };
}

/** A name as a second URL decoding would see it (`%2e%2e` -> `..`), so no layer can be fooled. */
function percentDecoded(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name; // a lone `%` (as in `100%.csv`) decodes to nothing else
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return statSync(dir).isDirectory() ? readdirSync(dir) : [];
  } catch {
    return [];
  }
}
