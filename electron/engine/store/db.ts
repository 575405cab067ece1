// Opens the job store: pragmas for durability, numbered migrations in one transaction.
import Database from 'better-sqlite3';
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
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false, timeout: 5000 });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  }
  db.pragma('busy_timeout = 5000');
  const problems = options.beforeMigrate?.(db) ?? [];
  if (problems.length > 0) {
    db.close();
    throw Object.assign(new Error(problems.slice(0, 3).join('; ')), { code: 'SQLITE_CORRUPT' });
  }
  if (!options.readonly) migrate(db, options.migrations ?? migrations);
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

/**
 * Runs fn in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so two writers
 * wait on busy_timeout instead of failing mid-transaction (on PostgreSQL: the store's advisory
 * write lock, postgres/pg-store.ts). fn must be synchronous.
 */
export function immediate<T>(db: StoreDb, fn: () => T): T {
  return db.transaction(fn).immediate();
}
