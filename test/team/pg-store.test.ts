// The PostgreSQL store (store/postgres/pg-store.ts) against a real PostgreSQL 15: synchronous
// statements as better-sqlite3 gives them, transactions that commit whole or not at all, one write
// lock across processes, and a connection cut inside a transaction that commits nothing.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openPgStore, WRITE_LOCK } from '../../electron/engine/store/postgres/pg-store.ts';
import { freshSchemaUrl } from '../helpers/test-store.ts';
import { usePostgres } from './servers.ts';

const { ok: ready, url } = await usePostgres();

/** psql as another process would run it: one statement, its single value. */
function psql(sql: string): string {
  const bin = '/usr/lib/postgresql/15/bin/psql';
  return execFileSync(bin, ['-X', '-At', '-d', url, '-c', sql], { encoding: 'utf8' }).trim();
}

function store() {
  const { url: schemaUrl, schema } = freshSchemaUrl(url);
  const db = openPgStore(schemaUrl);
  db.exec('CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, score DOUBLE PRECISION)');
  return { db, schema };
}

describe.skipIf(!ready)('the PostgreSQL store', () => {
  it('answers statements synchronously with SQLite-shaped values', () => {
    const { db } = store();
    const insert = db.prepare('INSERT INTO t (id, name, score) VALUES (@id, @name, @score)');
    expect(insert.run({ id: 1, name: 'a', score: 0.5 }).changes).toBe(1);
    insert.run({ id: 2, name: 'b', score: null });
    expect(db.prepare('SELECT * FROM t WHERE id = ?').get(1)).toEqual({
      id: 1,
      name: 'a',
      score: 0.5,
    });
    expect(db.prepare('SELECT count(*) AS n, sum(id) AS s FROM t').get()).toEqual({ n: 2, s: 3 });
    expect(db.prepare('SELECT name FROM t ORDER BY id').pluck().all()).toEqual(['a', 'b']);
    expect([...db.prepare('SELECT id FROM t ORDER BY id DESC').pluck().iterate()]).toEqual([2, 1]);
    expect(db.prepare('SELECT * FROM t WHERE id = ?').get(9)).toBeUndefined();
    expect(db.prepare('UPDATE t SET name = ? WHERE id > ?').run('z', 0).changes).toBe(2);
    db.close();
  });

  it('commits a transaction whole, rolls back on a throw, and nests by savepoint', () => {
    const { db } = store();
    const put = db.prepare('INSERT INTO t (id, name) VALUES (?, ?)');
    const count = () => db.prepare('SELECT count(*) FROM t').pluck().get();
    db.transaction(() => {
      put.run(1, 'a');
      put.run(2, 'b');
      expect(db.inTransaction).toBe(true);
    })();
    expect(count()).toBe(2);
    expect(() =>
      db.transaction(() => {
        put.run(3, 'c');
        put.run(1, 'duplicate');
      })(),
    ).toThrow(/duplicate key/);
    expect(count()).toBe(2);
    db.transaction(() => {
      put.run(4, 'd');
      expect(() =>
        db.transaction(() => {
          put.run(5, 'e');
          throw new Error('inner');
        })(),
      ).toThrow('inner');
    }).immediate();
    expect(db.prepare('SELECT id FROM t ORDER BY id').pluck().all()).toEqual([1, 2, 4]);
    expect(db.inTransaction).toBe(false);
    db.close();
  });

  it('holds the one write lock for the whole transaction, against every other process', () => {
    const { db } = store();
    const tryLock = `SELECT pg_try_advisory_xact_lock(${WRITE_LOCK})`;
    db.transaction(() => {
      expect(psql(tryLock)).toBe('f');
    })();
    expect(psql(tryLock)).toBe('t');
    db.close();
  });

  it('commits nothing of a transaction whose connection is cut, and works again after', () => {
    const { db, schema } = store();
    const put = db.prepare('INSERT INTO t (id, name) VALUES (?, ?)');
    expect(() =>
      db.transaction(() => {
        put.run(1, 'a');
        psql(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'export-manager' AND pid <> pg_backend_pid() AND query LIKE 'INSERT INTO t%'`,
        );
        put.run(2, 'b');
      })(),
    ).toThrow(/lost inside a transaction|terminat/);
    expect(psql(`SELECT count(*) FROM ${schema}.t`)).toBe('0');
    put.run(3, 'c');
    expect(db.prepare('SELECT id FROM t').pluck().all()).toEqual([3]);
    db.close();
  });

  it('names a server that cannot be reached, and does not hang', () => {
    const db = openPgStore('postgres://nobody@127.0.0.1:1/none', { statementTimeoutMs: 2000 });
    expect(() => db.prepare('SELECT 1').get()).toThrow(/ECONNREFUSED|connect/);
    db.close();
  });
});
