// The one file a schedule keeps fresh: `<folder>/<name>.<ext>`, replaced whole by each completed run.
import { constants } from 'node:fs';
import { copyFile, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/** `leads.csv.gz` and run 7 → `leads.7.csv.gz`: the run's own copy beside the stable file. */
export function runCopyName(stableName: string, n: number, ext: string): string {
  const stem = stableName.endsWith(ext) ? stableName.slice(0, -ext.length) : stableName;
  return `${stem}.${n}${ext}`;
}

/** The stable name of a run's copy made by runCopyName (`leads.7.csv.gz` → `leads.csv.gz`). */
export function stablePathOf(runCopy: string, n: number): string | null {
  const name = basename(runCopy);
  const marker = `.${n}.`;
  const at = name.lastIndexOf(marker);
  if (at > 0) return join(dirname(runCopy), name.slice(0, at) + name.slice(at + marker.length - 1));
  const suffix = `.${n}`;
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  return stem.endsWith(suffix) ? join(dirname(runCopy), stem.slice(0, -suffix.length) + ext) : null;
}

/**
 * The temporary name beside the target, saying whose it is (the schedule's id), so a start-up
 * sweep of a destination folder knows it for debris of ours.
 */
export const stableTempName = (target: string, scheduleId: string): string =>
  join(dirname(target), `.${basename(target)}.em-schedule-${scheduleId}.part`);

/**
 * Copies `source` beside `target`, fsyncs it, and renames it over `target`: a reader sees the old
 * file or the new one, never half of one, and a reader holding the old file open keeps reading it.
 */
export async function replaceStableFile(
  source: string,
  target: string,
  scheduleId: string,
): Promise<void> {
  const temp = stableTempName(target, scheduleId);
  try {
    await copyFile(source, temp);
    const fh = await open(temp, constants.O_RDWR);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  // The rename itself survives a power cut once the folder is synced (not possible on Windows).
  if (process.platform !== 'win32') {
    const dir = await open(dirname(target), constants.O_RDONLY).catch(() => null);
    if (dir)
      await dir
        .sync()
        .finally(() => dir.close())
        .catch(() => undefined);
  }
}
