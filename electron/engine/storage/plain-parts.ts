// The decompressed copy of a vendor file is written in the destination folder as a hidden part
// named after its export, so a part left by a crash is found and removed by the next attempt (or
// when the export is given up) instead of staying in the user's folder forever.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const SUFFIX = '.plain.part';
const COPY_SUFFIX = '.copy.part';
const tag = (exportId: string) => `.em-${exportId.replaceAll('-', '').slice(-16)}`;

/** The hidden part for `name` of export `exportId`, in `dir`. */
export function plainPartPath(dir: string, name: string, exportId: string): string {
  return join(dir, `.${name}${tag(exportId)}${SUFFIX}`);
}

/** The hidden part a destination copy of export `exportId` is written to before it is linked. */
export function copyPartPath(dir: string, name: string, exportId: string): string {
  return join(dir, `.${name}${tag(exportId)}${COPY_SUFFIX}`);
}

/**
 * Removes the parts (decompressed vendor copies and destination copies) an earlier attempt of this
 * export left in `dir`; returns how many.
 */
export function removePlainParts(dir: string, exportId: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const ends = [tag(exportId) + SUFFIX, tag(exportId) + COPY_SUFFIX];
  let removed = 0;
  for (const n of names) {
    if (!n.startsWith('.') || !ends.some((end) => n.endsWith(end))) continue;
    rmSync(join(dir, n), { force: true });
    removed++;
  }
  return removed;
}
