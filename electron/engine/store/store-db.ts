// The job store as the engine uses it: synchronous statements and transactions, the subset of
// better-sqlite3's API the repos call. Two implementations: better-sqlite3 itself (the default, one
// process per data folder) and the PostgreSQL bridge (postgres/pg-store.ts, a store many engine
// processes share). SQL written against it must run on both: `?` or `@name` parameters, no SQLite-
// or PostgreSQL-only functions (docs/architecture.md, "The store").

import type Database from 'better-sqlite3';

export interface StoreRunResult {
  readonly changes: number;
  readonly lastInsertRowid: number | bigint;
}

type Args<P> = P extends unknown[] ? P : [P];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- named parameters, as better-sqlite3 types them
export interface StoreStatement<P extends unknown[] | {} = unknown[], R = unknown> {
  run(...params: Args<P>): StoreRunResult;
  get(...params: Args<P>): R | undefined;
  all(...params: Args<P>): R[];
  iterate(...params: Args<P>): IterableIterator<R>;
  /** Rows as their first column's value. */
  pluck(toggle?: boolean): this;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shape better-sqlite3 declares
type AnyFn = (...args: any[]) => unknown;

export interface StoreTransaction<F extends AnyFn> {
  (...args: Parameters<F>): ReturnType<F>;
  /** Takes the write lock up front (SQLite BEGIN IMMEDIATE; the advisory lock on PostgreSQL). */
  immediate(...args: Parameters<F>): ReturnType<F>;
}

export interface StoreDb {
  readonly open: boolean;
  readonly inTransaction: boolean;
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- as better-sqlite3 types it
  prepare<P extends unknown[] | {} = unknown[], R = unknown>(sql: string): StoreStatement<P, R>;
  exec(sql: string): this;
  transaction<F extends AnyFn>(fn: F): StoreTransaction<F>;
  close(): void;
}

/**
 * better-sqlite3's Database is the reference implementation of StoreDb; its typings express the
 * same methods with another generic shape, which TypeScript cannot match structurally.
 */
export function sqliteStore(db: Database.Database): StoreDb {
  return db as unknown as StoreDb;
}

const shared = new WeakSet<StoreDb>();

/** Marks a store other processes write too: nothing read from it may be cached in memory. */
export function markShared(db: StoreDb): void {
  shared.add(db);
}

/** True for a store other engine processes share (PostgreSQL): in-memory caches must stay off. */
export function isShared(db: StoreDb): boolean {
  return shared.has(db);
}

/**
 * For the rare statement with no form both accept (a sequence's last value): the caller writes
 * both, chosen by this.
 */
export function dialectOf(db: StoreDb): 'sqlite' | 'postgres' {
  return shared.has(db) ? 'postgres' : 'sqlite';
}
