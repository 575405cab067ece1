// `export-manager migrate --store postgres://...` against a real PostgreSQL 15 (start-postgres.sh):
// the same migrations history as SQLite, translated by explicit rules, gives the same tables,
// columns and indexes; it runs once, refuses a newer schema and an untranslatable migration
// without writing anything.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { main } from '../../electron/cli.ts';
import { openDatabase } from '../../electron/engine/store/db.ts';
import { migrations } from '../../electron/engine/store/migrations/index.ts';
import { DialectError, toPostgres } from '../../electron/engine/store/postgres/dialect.ts';
import { migratePostgres } from '../../electron/engine/store/postgres/pg-migrate.ts';
import { tempDir } from '../helpers/context.ts';
import { usePostgres } from './servers.ts';

const { ok: ready, url } = await usePostgres();

async function withDb<T>(name: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const c = new pg.Client({ connectionString: url.replace(/\/postgres$/, `/${name}`) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** SQLite's declared type as the translation promises it in PostgreSQL. */
const pgType: Record<string, string> = {
  TEXT: 'text',
  INTEGER: 'bigint',
  REAL: 'double precision',
};

describe.skipIf(!ready)('migrations on PostgreSQL', () => {
  it('gives every SQLite table, column (type, nullability) and index; a second run does nothing', async () => {
    await withDb('same_history', async (c) => {
      const dbUrl = url.replace(/\/postgres$/, '/same_history');
      const log: string[] = [];
      const orig = console.log;
      console.log = (m: string) => log.push(m);
      try {
        await main(['migrate', '--store', dbUrl], {});
      } finally {
        console.log = orig;
      }
      const last = migrations.at(-1)!.version;
      expect(log[0]).toMatch(
        new RegExp(`^Migrated the store from schema 0 to ${last}: 10 exports`),
      );

      const sqlite = openDatabase(`${tempDir()}/store.db`);
      const tables = sqlite
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
        .pluck()
        .all() as string[];
      expect(tables.length).toBeGreaterThan(10);
      for (const table of tables) {
        const want = sqlite.prepare(`PRAGMA table_info(${table})`).all() as {
          name: string;
          type: string;
          notnull: number;
          pk: number;
        }[];
        const got = await c.query<{ column_name: string; data_type: string; is_nullable: string }>(
          `SELECT column_name, data_type, is_nullable FROM information_schema.columns
           WHERE table_name = $1 ORDER BY ordinal_position`,
          [table],
        );
        expect(
          got.rows.map((r) => r.column_name),
          table,
        ).toEqual(want.map((w) => w.name));
        for (const w of want) {
          const g = got.rows.find((r) => r.column_name === w.name)!;
          expect(g.data_type, `${table}.${w.name}`).toBe(pgType[w.type]);
          expect(g.is_nullable === 'NO', `${table}.${w.name} not null`).toBe(
            w.notnull === 1 || w.pk > 0,
          );
        }
      }
      const sqliteIndexes = sqlite
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
        .pluck()
        .all() as string[];
      const pgIndexes = (
        await c.query<{ indexname: string }>(
          `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`,
        )
      ).rows.map((r) => r.indexname);
      for (const name of sqliteIndexes) expect(pgIndexes).toContain(name);
      sqlite.close();

      // A millisecond time fits (SQLite's 64-bit INTEGER became BIGINT, not a 32-bit integer).
      await c.query(
        `INSERT INTO exports (id, name, status, source_type, request_json, format, compression, compression_level, created_at, updated_at)
         VALUES ('a', 'n', 'pending', 'dataset', '{}', 'csv', 'gzip', 6, $1, $1)`,
        [Date.parse('2026-12-05T00:00:00Z')],
      );
      const idx = await c.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE indexname = 'datasets_by_name_nocase'`,
      );
      expect(idx.rows[0]!.indexdef).toMatch(/UNIQUE INDEX .* \(lower\(name\)\)/);

      const again = await migratePostgres(dbUrl);
      expect(again).toEqual({ from: last, to: last, applied: [] });
    });
  });

  it('keeps one request per export (migration 120): parts only the old columns held move into request_json', async () => {
    await withDb('one_request', async (c) => {
      const dbUrl = url.replace(/\/postgres$/, '/one_request');
      await migratePostgres(
        dbUrl,
        migrations.filter((m) => m.version < 120),
      );
      const destination = { dir: '/home/me/out', decompress: true };
      await c.query(
        `INSERT INTO exports (id, name, status, source_type, dataset, request_json, format, compression,
           compression_level, columns_json, filter_json, destination_json, created_at, updated_at)
         VALUES ('a', 'n', 'completed', 'dataset', 'leads', $1, 'csv', 'gzip', 6, $2, NULL, $3, 1, 1)`,
        [
          JSON.stringify({ dataset: 'leads', columns: ['id'] }),
          JSON.stringify(['id']),
          JSON.stringify(destination),
        ],
      );
      const result = await migratePostgres(dbUrl);
      expect(result.applied).toContain('120 exports-one-request');
      const row = await c.query<Record<string, unknown>>(`SELECT * FROM exports WHERE id = 'a'`);
      expect(Object.keys(row.rows[0]!)).not.toContain('destination_json');
      expect(JSON.parse(row.rows[0]!.request_json as string)).toEqual({
        dataset: 'leads',
        columns: ['id'],
        destination,
      });
    });
  });

  it('refuses a database from a newer version, and an untranslatable migration, writing nothing', async () => {
    await withDb('guards', async (c) => {
      const dbUrl = url.replace(/\/postgres$/, '/guards');
      const bad = [
        ...migrations,
        { version: 9999, name: 'sqlite-only', up: 'PRAGMA foreign_keys = ON;' },
      ];
      await expect(migratePostgres(dbUrl, bad)).rejects.toThrow(DialectError);
      const none = await c.query(`SELECT to_regclass('public.exports') AS t`);
      expect(none.rows[0].t).toBeNull();

      await migratePostgres(dbUrl);
      await c.query('UPDATE schema_version SET version = 100000');
      await expect(migratePostgres(dbUrl)).rejects.toThrow(/newer Export Manager/);
      // Two processes migrating a fresh database at once: one migrates, the other finds it done.
      await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      const [a, b] = await Promise.all([migratePostgres(dbUrl), migratePostgres(dbUrl)]);
      expect([a.applied.length, b.applied.length].sort()).toEqual([0, migrations.length]);
    });
  });

  it('translates by explicit rules', () => {
    expect(
      toPostgres('t', 'CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT, v REAL) STRICT;'),
    ).toBe(
      'CREATE TABLE x (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v DOUBLE PRECISION);',
    );
    expect(toPostgres('t', 'CREATE UNIQUE INDEX i ON d (name COLLATE NOCASE);')).toBe(
      'CREATE UNIQUE INDEX i ON d (lower(name));',
    );
    expect(() => toPostgres('t', "SELECT json_extract(a, '$.b')")).toThrow(/SQLite JSON functions/);
  });
});
