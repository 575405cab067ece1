// Opens the job store: pragmas for durability, numbered migrations in one transaction.
import Database from 'better-sqlite3';
import {
  enableLazyCommits,
  lazyCommitsOn,
  noteLazyCommit,
  settleLazyCommits,
} from './durability.ts';
import { migrations, type Migration } from './migrations/index.ts';
import { sqliteStore, type StoreDb } from './store-db.ts';

export type Db = Database.Database;

export class StoreVersionError extends Error {
  constructor(found: number, known: number) {
    super(
      `The database was written by a newer Export Manager (schema ${found}, this version knows up to ${known}). ` +
        'Upgrade Export Manager, or point it at another data folder.',
    );
    this.name = 'StoreVersionError';
  }
}

export interface OpenOptions {
  readonly readonly?: boolean;
  readonly migrations?: readonly Migration[];
  /** Runs before any migration writes; problems it returns close the store and throw. */
  readonly beforeMigrate?: (db: Db) => string[];
  /** Told when a sync of the WAL for lazy commits (store/durability.ts) fails. */
  readonly onSyncError?: (err: Error) => void;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false, timeout: 5000 });
  let wal = false;
  if (!options.readonly) {
    wal = db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  }
  db.pragma('busy_timeout = 5000');
  const problems = options.beforeMigrate?.(db) ?? [];
  if (problems.length > 0) {
    db.close();
    throw Object.assign(new Error(problems.slice(0, 3).join('; ')), { code: 'SQLITE_CORRUPT' });
  }
  if (!options.readonly) {
    migrate(db, options.migrations ?? migrations);
    if (wal) {
      enableLazyCommits(sqliteStore(db), db.name, options.onSyncError);
      // Whatever closes the store first brings its lazy commits to the disk and runs what waited.
      const close = db.close.bind(db);
      db.close = () => {
        settleLazyCommits(sqliteStore(db));
        return close();
      };
    }
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Runs every pending migration in one transaction; refuses a database from a newer version. */
export function migrate(db: Db, list: readonly Migration[] = migrations): number {
  const known = list.reduce((max, m) => Math.max(max, m.version), 0);
  const current = schemaVersion(db);
  if (current > known) throw new StoreVersionError(current, known);
  const pending = [...list]
    .filter((m) => m.version > current)
    .sort((a, b) => a.version - b.version);
  if (pending.length === 0) return current;
  immediate(sqliteStore(db), () => {
    for (const m of pending) {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  return known;
}

export interface CommitOptions {
  /**
   * Committed without waiting for the disk (store/durability.ts): on disk by the time
   * `whenDurable` runs. For writes whose only witnesses wait for that (a response, an event).
   */
  readonly lazy?: boolean;
}

/**
 * Runs fn in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so two writers
 * wait on busy_timeout instead of failing mid-transaction (on PostgreSQL: the store's advisory
 * write lock, postgres/pg-store.ts). fn must be synchronous. Inside another transaction it is a
 * part of that one (a savepoint), committed as that one is.
 */
export function immediate<T>(db: StoreDb, fn: () => T, opts: CommitOptions = {}): T {
  if (!opts.lazy || db.inTransaction || !lazyCommitsOn(db)) return db.transaction(fn).immediate();
  // NORMAL for this commit only: every other commit, and every statement run outside a
  // transaction, stays FULL.
  // Not a prepared statement run again: SQLite applies `synchronous` when it compiles the pragma,
  // so a prepared one changes nothing the second time.
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    const out = db.transaction(fn).immediate();
    noteLazyCommit(db);
    return out;
  } finally {
    db.exec('PRAGMA synchronous = FULL');
  }
}
