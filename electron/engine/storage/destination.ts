// Saves a finished export file into a user's folder: decompressed if asked, never overwriting.
import {
  createReadStream,
  createWriteStream,
  copyFileSync,
  constants,
  linkSync,
  mkdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crashPoint } from '../safety/fault-injection.ts';
import { fsyncDir } from '../safety/atomic-file.ts';
import { isSafeFilename, slugify } from './files.ts';
import { compressionOfName, decompressor, stripCompressionSuffix } from './compressed.ts';
import { copyPartPath } from './plain-parts.ts';

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
  /** The export this copy is for: its part is named after it, and a copy an earlier attempt
   * linked before it was killed (same inode as its part) is adopted instead of copied again. */
  exportId: string | null = null,
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
    : exportId !== null
      ? copyPartPath(dest.dir, basename(wanted), exportId)
      : join(dest.dir, `.${basename(wanted)}.${randomBytes(6).toString('hex')}.part`);
  if (!prepared && exportId !== null) {
    const adopted = adoptEarlierCopy(part, dest.dir, wanted);
    if (adopted !== null) return adopted;
  }
  try {
    if (!prepared) {
      const out = createWriteStream(part, { flags: 'wx', flush: true, highWaterMark: 1 << 20 });
      const read = createReadStream(src, { highWaterMark: 1 << 20 });
      if (packed && decompress) await pipeline(read, decompressor(packed), out);
      else await pipeline(read, out);
      crashPoint('destination:part-written');
    }
    for (let n = 1; n < 10_000; n++) {
      const candidate = join(dest.dir, numbered(wanted, n));
      try {
        linkSync(part, candidate);
        fsyncDir(dest.dir);
        crashPoint('destination:linked');
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

/**
 * A part left by a killed attempt: if a numbered name shares its inode, that attempt linked it
 * already (killed before its commit) and it is the copy; otherwise the part is torn and goes.
 */
function adoptEarlierCopy(part: string, dir: string, wanted: string): string | null {
  let st;
  try {
    st = statSync(part);
  } catch {
    return null;
  }
  try {
    for (let n = 1; n < 10_000; n++) {
      const candidate = join(dir, numbered(wanted, n));
      let c;
      try {
        c = statSync(candidate);
      } catch {
        break;
      }
      if (c.ino === st.ino && c.dev === st.dev) return candidate;
    }
    return null;
  } finally {
    rmSync(part, { force: true });
  }
}
