// `export-manager migrate --store postgres://...`: the same numbered migrations as the SQLite store,
// translated (dialect.ts), all pending ones in one transaction under an advisory lock, so two
// engine processes starting together migrate once. The version lives in schema_version (SQLite
// keeps it in user_version); a database from a newer Export Manager is refused, untouched.
import pg from 'pg';
import { migrations as sqliteMigrations, type Migration } from '../migrations/index.ts';
import { StoreVersionError } from '../db.ts';
import { toPostgres } from './dialect.ts';
import { isPostgresUrl } from './pg-url.ts';

/** Any constant both processes agree on: pg_advisory_xact_lock's key for migrations. */
const MIGRATION_LOCK = 0x45_4d_4d_47; // "EMMG"

export interface PgMigrateResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly string[];
}

export async function migratePostgres(
  connectionString: string,
  list: readonly Migration[] = sqliteMigrations,
): Promise<PgMigrateResult> {
  if (!isPostgresUrl(connectionString))
    throw new Error(`--store must be a postgres:// URL, not "${connectionString.slice(0, 40)}".`);
  // Translate everything first: a migration with no translation fails before anything is written.
  const translated = [...list]
    .sort((a, b) => a.version - b.version)
    .map((m) => ({ ...m, up: m.postgres ?? toPostgres(`${m.version} (${m.name})`, m.up) }));
  const known = translated.reduce((max, m) => Math.max(max, m.version), 0);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_version (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), version BIGINT NOT NULL)',
    );
    const row = await client.query<{ version: string }>('SELECT version FROM schema_version');
    const from = row.rows[0] ? Number(row.rows[0].version) : 0;
    if (from > known) throw new StoreVersionError(from, known);
    const pending = translated.filter((m) => m.version > from);
    for (const m of pending) await client.query(m.up);
    await client.query(
      'INSERT INTO schema_version (one, version) VALUES (TRUE, $1) ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version',
      [Math.max(from, known)],
    );
    await client.query('COMMIT');
    return {
      from,
      to: Math.max(from, known),
      applied: pending.map((m) => `${m.version} ${m.name}`),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
