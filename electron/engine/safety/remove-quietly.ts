// Clean-up that must not throw: in an event handler an EMFILE from rmSync would end the process.
// What is left here is removed by the start-up sweeps (tmp/ parts, files of gone exports).
import { rmSync } from 'node:fs';

/** Removes `path` (and, with `sqliteSides`, its -journal, -wal and -shm); false if any stayed. */
export function removeQuietly(path: string, sqliteSides = false): boolean {
  let ok = true;
  for (const p of sqliteSides ? [path, path + '-journal', path + '-wal', path + '-shm'] : [path]) {
    try {
      rmSync(p, { force: true });
    } catch {
      ok = false;
    }
  }
  return ok;
}
