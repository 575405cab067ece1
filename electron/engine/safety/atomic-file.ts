// Small files that must never be seen half-written (keys, secrets, the lock's pid file): written
// beside under a name that says whose it is, fsynced, renamed over the final name, folder fsynced.
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crashPoint, type CrashPoint } from './fault-injection.ts';

const besideName = (path: string) => `.${basename(path)}.${process.pid}.writing`;

/** Writes `text` to `path` atomically with `mode`; with `exclusive`, an existing file wins (false). */
export function writeFileAtomic(
  path: string,
  text: string,
  opts: { mode?: number; exclusive?: boolean; crashAt?: CrashPoint } = {},
): boolean {
  const beside = join(dirname(path), besideName(path));
  const fd = openSync(beside, 'w', opts.mode ?? 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (opts.crashAt) crashPoint(opts.crashAt);
  try {
    if (opts.exclusive) {
      // link() fails with EEXIST instead of replacing: the first writer's file is the one kept.
      try {
        linkOrRename(beside, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
    } else renameSync(beside, path);
    fsyncDir(dirname(path));
    return true;
  } finally {
    rmSync(beside, { force: true });
  }
}

function linkOrRename(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') renameSync(from, to);
    else throw err;
  }
}

/** Removes the beside-files a killed writer left for `path` (any pid). Returns how many. */
export function removeTornBeside(path: string): number {
  const stem = `.${basename(path)}.`;
  let n = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return 0;
  }
  for (const f of names) {
    if (f.startsWith(stem) && f.endsWith('.writing')) {
      try {
        rmSync(join(dirname(path), f), { force: true });
        n++;
      } catch {
        // a file we cannot remove is left; it is never read
      }
    }
  }
  return n;
}

/** Writes a file that must not exist yet (mode 0600) in one go and fsyncs it; no rename. */
export function writeNewFileSynced(path: string, bytes: Buffer): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a directory so a rename inside it survives a power cut. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* not supported on every platform (Windows): the rename itself is still atomic */
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
