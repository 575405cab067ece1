// The export worker's read-only connections to dataset files, kept between exports on this thread.
//
// Opening one costs more than a one-row export itself (the file's schema read and parsed, a dozen
// system calls): a burst of small exports of a dataset reuses its connection. A connection is kept
// only while it is safe to:
// - the file must still be the one it opened (same device, inode and change time): a dataset
//   replaced by a new import gets a fresh connection, never the old file's rows;
// - it is closed once the thread has been idle for IDLE_CLOSE_MS, so a deleted dataset's disk space
//   comes back (an open file keeps it) and no file stays open behind the user's back;
// - on Windows nothing is kept: an open file cannot be deleted there.
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Connections closed after this long without an export on this thread. */
export const IDLE_CLOSE_MS = 1000;
/** Files kept open at most (the least recently used goes first). */
const KEPT = 4;

interface Kept {
  readonly db: Database.Database;
  readonly identity: string;
  busy: boolean;
}

const kept = new Map<string, Kept>();
let idleTimer: NodeJS.Timeout | null = null;

function identityOf(file: string): string | null {
  try {
    const st = statSync(file);
    return `${st.dev}:${st.ino}:${st.ctimeMs}:${st.size}`;
  } catch {
    return null;
  }
}

function open(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  // Every page is read once, in order: a page cache only holds memory (better-sqlite3's default
  // is 16 MB per connection), so keep SQLite's minimum.
  db.pragma('cache_size = -1024');
  return db;
}

/** A connection to `file` for one export; hand it back with releaseDatasetConnection. */
export function datasetConnection(file: string): Database.Database {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  const identity = process.platform === 'win32' ? null : identityOf(file);
  const hit = kept.get(file);
  if (hit && !hit.busy && identity !== null && hit.identity === identity) {
    hit.busy = true;
    // Most recently used last.
    kept.delete(file);
    kept.set(file, hit);
    return hit.db;
  }
  // A file replaced since (or gone): its old connection goes.
  if (hit && !hit.busy) {
    kept.delete(file);
    hit.db.close();
  }
  const db = open(file);
  if (identity !== null && !kept.has(file)) {
    kept.set(file, { db, identity, busy: true });
    for (const [f, k] of kept) {
      if (kept.size <= KEPT) break;
      if (k.busy) continue;
      kept.delete(f);
      k.db.close();
    }
  }
  return db;
}

/** The export is done with `db`: kept for the next one, or closed. */
export function releaseDatasetConnection(db: Database.Database): void {
  let mine = false;
  for (const k of kept.values())
    if (k.db === db) {
      k.busy = false;
      mine = true;
    }
  if (!mine) db.close();
  if (kept.size > 0) {
    idleTimer ??= setTimeout(closeDatasetConnections, IDLE_CLOSE_MS);
    idleTimer.unref();
  }
}

/** Closes every kept connection not in use. */
export function closeDatasetConnections(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  for (const [f, k] of kept) {
    if (k.busy) continue;
    kept.delete(f);
    k.db.close();
  }
}
