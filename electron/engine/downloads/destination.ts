// Saves a finished export file into a user's folder: decompressed if asked, never overwriting.
import {
  createReadStream,
  createWriteStream,
  copyFileSync,
  constants,
  linkSync,
  mkdirSync,
  rmSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fsyncDir, isSafeFilename, slugify } from '../storage/files.ts';
import { compressionOfName, decompressor, stripCompressionSuffix } from './compressed.ts';

export interface DestinationSpec {
  readonly dir: string;
  readonly decompress?: boolean;
  /** The wanted file name (a schedule's template, already filled in); a counter is added if taken. */
  readonly filename?: string;
}

/** `name.csv` -> `name (2).csv`; `name.csv.gz` -> `name (2).csv.gz`. */
export function numbered(name: string, n: number): string {
  if (n <= 1) return name;
  const m = /^(.*?)((?:\.[A-Za-z0-9]{1,8}){0,2})$/.exec(name);
  const stem = m?.[1] || name;
  const ext = m?.[2] ?? '';
  return `${stem} (${n})${ext}`;
}

/** Writes src into dir under a free name (hard link or exclusive copy: never replaces a file). */
export async function saveToDestination(
  src: string,
  dest: DestinationSpec,
  storedName: string,
  /** A verified, already decompressed copy in dest.dir (from the download's verify pass). */
  preparedPlain: string | null = null,
): Promise<string> {
  if (!isAbsolute(dest.dir))
    throw new Error(`The destination folder must be an absolute path, not "${dest.dir}".`);
  mkdirSync(dest.dir, { recursive: true });
  const packed = compressionOfName(storedName);
  const decompress = (dest.decompress ?? false) && packed !== null;
  const plainName = decompress ? stripCompressionSuffix(storedName) : storedName;
  let wanted = dest.filename && isSafeFilename(dest.filename) ? dest.filename : plainName;
  if (!isSafeFilename(wanted)) wanted = slugify(wanted) + extname(plainName);

  const prepared =
    decompress && preparedPlain !== null && resolve(dirname(preparedPlain)) === resolve(dest.dir);
  const part = prepared
    ? preparedPlain
    : join(dest.dir, `.${basename(wanted)}.${randomBytes(6).toString('hex')}.part`);
  try {
    if (!prepared) {
      const out = createWriteStream(part, { flags: 'wx', flush: true, highWaterMark: 1 << 20 });
      const read = createReadStream(src, { highWaterMark: 1 << 20 });
      if (packed && decompress) await pipeline(read, decompressor(packed), out);
      else await pipeline(read, out);
    }
    for (let n = 1; n < 10_000; n++) {
      const candidate = join(dest.dir, numbered(wanted, n));
      try {
        linkSync(part, candidate);
        fsyncDir(dest.dir);
        return candidate;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
          // File systems without hard links: an exclusive copy is just as safe against overwriting.
          try {
            copyFileSync(part, candidate, constants.COPYFILE_EXCL);
            return candidate;
          } catch (copyErr) {
            if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') continue;
            throw copyErr;
          }
        }
        throw err;
      }
    }
    throw new Error(`Too many files named like ${wanted} in ${dest.dir}.`);
  } finally {
    rmSync(part, { force: true });
  }
}
