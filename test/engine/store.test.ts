import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import {
  migrate,
  openDatabase,
  schemaVersion,
  StoreVersionError,
} from '../../electron/engine/store/db.ts';
import { migrations } from '../../electron/engine/store/migrations/index.ts';
import { tempDir } from '../helpers/context.ts';

const dirs: string[] = [];
const fresh = () => {
  const d = tempDir();
  dirs.push(d);
  return join(d, 'store.sqlite');
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('job store', () => {
  it('opens with WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = openDatabase(fresh());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('numbers migrations in gaps of ten, strictly increasing', () => {
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    for (const v of versions) expect(v % 10).toBe(0);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it.each(migrations.map((m) => [m.version, m.name, m] as const))(
    'migration %i (%s) applies on top of the previous ones and creates STRICT tables',
    (version, _name, m) => {
      const db = new Database(':memory:');
      migrate(
        db,
        migrations.filter((x) => x.version < version),
      );
      const before = new Set(
        db.prepare("select name from sqlite_master where type='table'").pluck().all() as string[],
      );
      migrate(
        db,
        migrations.filter((x) => x.version <= version),
      );
      expect(schemaVersion(db)).toBe(version);
      const tables = (
        db.prepare("select name, sql from sqlite_master where type='table'").all() as {
          name: string;
          sql: string;
        }[]
      )
        // sqlite_sequence is SQLite's own (made by AUTOINCREMENT), not ours to declare.
        .filter((t) => !before.has(t.name) && t.name !== 'sqlite_sequence');
      // A migration either creates tables (STRICT) or only adds or drops columns of existing ones.
      if (!/CREATE TABLE/i.test(m.up)) expect(m.up).toMatch(/ALTER TABLE \w+ (ADD|DROP) COLUMN/);
      else expect(tables.length).toBeGreaterThan(0);
      for (const t of tables) expect(t.sql).toMatch(/\)\s*STRICT\s*$/);
      expect(m.up.length).toBeGreaterThan(0);
      db.close();
    },
  );

  it('runs pending migrations only once and keeps data across reopen', () => {
    const file = fresh();
    const db = openDatabase(file);
    db.prepare("insert into settings (key, value_json) values ('x', '1')").run();
    db.close();
    const again = openDatabase(file);
    expect(again.prepare("select value_json from settings where key='x'").pluck().get()).toBe('1');
    again.close();
  });

  it('refuses a database written by a newer version, with a clear message', () => {
    const file = fresh();
    const db = new Database(file);
    db.pragma('user_version = 9990');
    db.close();
    expect(() => openDatabase(file)).toThrow(StoreVersionError);
    expect(() => openDatabase(file)).toThrow(/newer Export Manager/);
  });

  it('rolls back every pending migration when one fails', () => {
    const db = new Database(':memory:');
    const bad = [
      ...migrations,
      {
        version: 9000,
        name: 'broken',
        up: 'CREATE TABLE ok_table (x INTEGER) STRICT; THIS IS NOT SQL;',
      },
    ];
    expect(() => migrate(db, bad)).toThrow();
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare("select count(*) from sqlite_master where type='table'").pluck().get()).toBe(
      0,
    );
    db.close();
  });
});
