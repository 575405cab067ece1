// The store a test runs on. By default the SQLite file in the test's data folder; under the
// PostgreSQL matrix (`npm test` runs test/vitest.postgres.config.ts, which starts a throwaway
// cluster and sets EXPORT_MANAGER_TEST_PG_URL) a fresh schema of that cluster for each store,
// so the same tests run against both implementations of StoreDb.
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../electron/engine/store/db.ts';
import { openPgStore } from '../../electron/engine/store/postgres/pg-store.ts';
import { sqliteStore, type StoreDb } from '../../electron/engine/store/store-db.ts';

/** Set by the PostgreSQL matrix's global setup. */
export const matrixPgUrl = (): string | undefined => process.env.EXPORT_MANAGER_TEST_PG_URL;

/** Which store this run of the tests uses. */
export const storeKind = (): 'sqlite' | 'postgres' => (matrixPgUrl() ? 'postgres' : 'sqlite');

/** One team key for every engine of the matrix (engines sharing a store must share it). */
export const MATRIX_TEAM_KEY = Buffer.alloc(32, 7).toString('base64');

/** A connection string for a new, empty schema of the matrix's cluster. */
export function freshSchemaUrl(base: string): { url: string; schema: string } {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const db = openPgStore(base);
  try {
    db.exec(`CREATE SCHEMA ${schema}`);
  } finally {
    db.close();
  }
  return { url: u.toString(), schema };
}

/** Engine options that put a test engine on the matrix's store (nothing under SQLite). */
export function matrixEngineOptions(): { store?: string; teamKey?: string } {
  const base = matrixPgUrl();
  if (!base) return {};
  return { store: freshSchemaUrl(base).url, teamKey: MATRIX_TEAM_KEY };
}

export interface TestStore {
  readonly db: StoreDb;
  close(): void;
}

/** A migrated store for a test context: SQLite in `dbFile`, or a fresh PostgreSQL schema. */
export function openTestStore(dbFile: string): TestStore {
  const base = matrixPgUrl();
  if (!base) {
    const db = sqliteStore(openDatabase(dbFile));
    return { db, close: () => db.close() };
  }
  const { url, schema } = freshSchemaUrl(base);
  const db = openPgStore(url);
  db.migrate();
  return {
    db,
    close() {
      try {
        db.exec(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        db.close();
      }
    },
  };
}
