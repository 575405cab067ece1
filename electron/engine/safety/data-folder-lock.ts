// One engine per data folder. Two locks: a platform lock (SQLite's exclusive lock on
// `engine.lock`: fcntl on POSIX, LockFileEx on Windows, released by the OS when the process dies,
// so it can never go stale) and `engine.pid`, which names the holder for the one-line refusal.
// A pid file without a held platform lock is stale (its process died) and is taken over.
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';

export class DataFolderLockedError extends Error {
  readonly code = 'DATA_FOLDER_LOCKED';
  readonly dataDir: string;
  readonly holder: LockHolder | null;
  constructor(dataDir: string, holder: LockHolder | null) {
    const who = holder
      ? `Export Manager (${holder.shell}, pid ${holder.pid}, since ${holder.since})`
      : 'another Export Manager';
    super(
      `the data folder ${dataDir} is in use by ${who}; stop that one first, or use another --data-dir.`,
    );
    this.name = 'DataFolderLockedError';
    this.dataDir = dataDir;
    this.holder = holder;
  }
}

export interface LockHolder {
  readonly pid: number;
  readonly shell: string;
  readonly since: string;
}

export interface DataFolderLock {
  /** The pid file a crashed engine left, taken over when this lock was acquired. */
  readonly staleHolder: LockHolder | null;
  release(): void;
}

export function lockFiles(dataDir: string) {
  return { platform: join(dataDir, 'engine.lock'), pid: join(dataDir, 'engine.pid') };
}

export function readHolder(dataDir: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(lockFiles(dataDir).pid, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number') return null;
    return { pid: h.pid, shell: String(h.shell ?? 'engine'), since: String(h.since ?? '?') };
  } catch {
    return null;
  }
}

/** Takes the data folder for this process or throws DataFolderLockedError naming the holder. */
export function lockDataFolder(dataDir: string, shell: string): DataFolderLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const files = lockFiles(dataDir);
  const db = new Database(files.platform, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = DELETE');
    // The write transaction stays open for the life of the process: the OS lock is held with it.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS held (pid INTEGER)');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY'))
      throw new DataFolderLockedError(dataDir, readHolder(dataDir));
    throw err;
  }
  if (process.platform !== 'win32') chmodSync(files.platform, 0o600);
  const stale = readHolder(dataDir);
  const me: LockHolder = { pid: process.pid, shell, since: new Date().toISOString() };
  writeFileAtomic(files.pid, JSON.stringify(me) + '\n', { mode: 0o600 });
  let released = false;
  return {
    staleHolder: stale && stale.pid !== process.pid ? stale : null,
    release() {
      if (released) return;
      released = true;
      rmSync(files.pid, { force: true });
      try {
        db.exec('ROLLBACK');
      } finally {
        db.close();
      }
    },
  };
}
