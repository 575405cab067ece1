// The store a test runs on. By default the SQLite file in the test's data folder; under the
// PostgreSQL matrix (`npm test` runs test/vitest.postgres.config.ts, which starts a throwaway
// cluster and sets EXPORT_MANAGER_TEST_PG_URL) a fresh schema of that cluster for each store,
// so the same tests run against both implementations of StoreDb.
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../electron/engine/store/db.ts';
import { openPgStore, type PgStore } from '../../electron/engine/store/postgres/pg-store.ts';
import { sqliteStore, type StoreDb } from '../../electron/engine/store/store-db.ts';

/** Set by the PostgreSQL matrix's global setup. */
export const matrixPgUrl = (): string | undefined => process.env.EXPORT_MANAGER_TEST_PG_URL;

/** Which store this run of the tests uses. */
export const storeKind = (): 'sqlite' | 'postgres' => (matrixPgUrl() ? 'postgres' : 'sqlite');

/** One team key for every engine of the matrix (engines sharing a store must share it). */
export const MATRIX_TEAM_KEY = Buffer.alloc(32, 7).toString('base64');

/** One connection per test process for creating and dropping schemas. */
let adminStore: { base: string; db: PgStore } | null = null;
function admin(base: string): PgStore {
  if (adminStore?.base !== base || !adminStore.db.open)
    adminStore = { base, db: openPgStore(base) };
  return adminStore.db;
}

/** A connection string for a new, empty schema of the matrix's cluster. */
export function freshSchemaUrl(base: string): { url: string; schema: string } {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  admin(base).exec(`CREATE SCHEMA ${schema}`);
  return { url: u.toString(), schema };
}

/** The schema of each data folder: an engine started again on the same folder finds its store. */
const schemaOfDataDir = new Map<string, string>();

/** Engine options that put a test engine on the matrix's store (nothing under SQLite). */
export function matrixEngineOptions(dataDir: string): { store?: string; teamKey?: string } {
  const base = matrixPgUrl();
  if (!base) return {};
  let url = schemaOfDataDir.get(dataDir);
  if (!url) {
    url = freshSchemaUrl(base).url;
    schemaOfDataDir.set(dataDir, url);
  }
  return { store: url, teamKey: MATRIX_TEAM_KEY };
}

export interface TestStore {
  readonly db: StoreDb;
  close(): void;
}

/** The migrated SQLite store in `dbFile`, whichever store this run of the tests uses. */
export function openSqliteTestStore(dbFile: string): TestStore {
  const db = sqliteStore(openDatabase(dbFile));
  return { db, close: () => db.close() };
}

/** A migrated store for a test context: SQLite in `dbFile`, or a fresh PostgreSQL schema. */
export function openTestStore(dbFile: string): TestStore {
  const base = matrixPgUrl();
  if (!base) return openSqliteTestStore(dbFile);
  const { url, schema } = freshSchemaUrl(base);
  const db = openPgStore(url);
  db.migrate();
  return {
    db,
    close() {
      try {
        admin(base).exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        db.close();
      }
    },
  };
}
