// Start-up checks of the data folder: the job store must pass SQLite's quick_check before anything
// is served from it (a damaged one is kept untouched, with how to recover), and the folder and its
// files are readable by this user only (0700 / 0600), even when an older version made them looser.
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/db.ts';

export class StoreDamagedError extends Error {
  readonly code = 'STORE_DAMAGED';
  constructor(file: string, dataDir: string, problem: string) {
    super(
      `the job store ${file} is damaged (${problem}). Nothing was served and the file is kept as ` +
        `it is. To recover: copy the data folder somewhere safe, then run ` +
        `"export-manager doctor --data-dir ${dataDir}" to see the damage and ` +
        `"export-manager doctor --repair --data-dir ${dataDir}" to rebuild the store from what is ` +
        `readable (the damaged file is kept beside it), or restore a backup copy of the folder.`,
    );
    this.name = 'StoreDamagedError';
  }
}

/**
 * quick_check, not integrity_check: it finds damaged pages, bad records and broken b-trees in one
 * pass over the file but skips matching every index entry to its row, which is what makes
 * integrity_check several times slower on a large store. `export-manager doctor` runs the full one.
 */
export function quickCheck(db: Db): string[] {
  const rows = db.pragma('quick_check(20)') as { quick_check: string }[];
  return rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
}

/** Errors SQLite raises while opening a file that is not (or no longer) a database. */
export function isDamageError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT_VTAB';
}

/** Folder 0700, files 0600 (the job store, its WAL, keys, datasets, export files): POSIX only. */
export function tightenPermissions(dataDir: string): void {
  if (process.platform === 'win32') return;
  tighten(dataDir, 0);
}

function tighten(path: string, depth: number): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    if ((st.mode & 0o077) !== 0) safeChmod(path, 0o700);
    // Export files can be many: the folder's 0700 already shuts others out below depth 1.
    if (depth >= 1) return;
    let names: string[] = [];
    try {
      names = readdirSync(path);
    } catch {
      return;
    }
    for (const n of names) tighten(join(path, n), depth + 1);
  } else if (st.isFile() && (st.mode & 0o077) !== 0) safeChmod(path, 0o600);
}

function safeChmod(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // not ours to change (another owner): the folder's mode still shuts others out
  }
}
