import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { immediate, openDatabase, type Db } from '../../../electron/engine/store/db.ts';
import {
  commitMark,
  durable,
  enableLazyCommits,
  isDurable,
  syncSoon,
  whenDurable,
} from '../../../electron/engine/store/durability.ts';
import { sqliteStore } from '../../../electron/engine/store/store-db.ts';
import { writeBatchOf } from '../../../electron/engine/store/write-batch.ts';
import { durableReplies, replyTellsUpTo } from '../../../electron/server/durable-replies.ts';
import { tempDir } from '../../helpers/context.ts';
import { storeKind } from '../../helpers/test-store.ts';
import { makeRig, type Rig } from '../exports/harness.ts';

// Lazy commits (store/durability.ts): committed at once, on disk at the next fdatasync of the WAL,
// and whatever tells of them waits for that, in order.

let dir = '';
let db: Db | null = null;
afterEach(() => {
  db?.close();
  db = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function open(): Db {
  dir = tempDir();
  db = openDatabase(join(dir, 'store.sqlite'), { migrations: [] });
  db.exec('CREATE TABLE t (v INTEGER)');
  return db;
}

const synchronous = (d: Db) => d.pragma('synchronous', { simple: true });
const count = (d: Db) => d.prepare('SELECT count(*) FROM t').pluck().get() as number;

describe('lazy commits', () => {
  it('commit at once, reach the disk at the next sync, and leave every other commit FULL', async () => {
    const d = open();
    const s = sqliteStore(d);
    expect(synchronous(d)).toBe(2); // FULL
    expect(isDurable(s)).toBe(true);
    immediate(
      s,
      () => {
        // NORMAL inside the lazy transaction: its commit does not wait for the disk.
        expect(synchronous(d)).toBe(1);
        d.prepare('INSERT INTO t VALUES (1)').run();
      },
      { lazy: true },
    );
    // Committed: another connection (a process started after a crash) reads it.
    const other = openDatabase(join(dir, 'store.sqlite'), { readonly: true });
    expect(count(other)).toBe(1);
    other.close();
    expect(isDurable(s)).toBe(false);
    expect(synchronous(d)).toBe(2);
    await durable(s);
    expect(isDurable(s)).toBe(true);
    // A FULL commit waits for nothing afterwards.
    immediate(s, () => d.prepare('INSERT INTO t VALUES (2)').run());
    expect(isDurable(s)).toBe(true);
    // A lazy transaction that throws is rolled back and leaves FULL behind as well.
    expect(() =>
      immediate(
        s,
        () => {
          d.prepare('INSERT INTO t VALUES (3)').run();
          throw new Error('no');
        },
        { lazy: true },
      ),
    ).toThrow('no');
    expect(count(d)).toBe(2);
    expect(synchronous(d)).toBe(2);
  });

  it('runs what waits in the order given, at once when nothing is pending', async () => {
    const d = open();
    const s = sqliteStore(d);
    const seen: string[] = [];
    whenDurable(s, () => seen.push('idle'));
    expect(seen).toEqual(['idle']);
    immediate(s, () => d.prepare('INSERT INTO t VALUES (1)').run(), { lazy: true });
    whenDurable(s, () => seen.push('a'));
    immediate(s, () => d.prepare('INSERT INTO t VALUES (2)').run(), { lazy: true });
    whenDurable(s, () => seen.push('b'));
    // Nothing new is pending, but it still waits behind a and b.
    immediate(s, () => d.prepare('INSERT INTO t VALUES (3)').run());
    whenDurable(s, () => seen.push('c'));
    expect(seen).toEqual(['idle']);
    await durable(s);
    expect(seen).toEqual(['idle', 'a', 'b', 'c']);
  });

  it('a waiter with a mark waits for the commits up to it, not for later ones', async () => {
    const d = open();
    const s = sqliteStore(d);
    const seen: string[] = [];
    immediate(s, () => d.prepare('INSERT INTO t VALUES (1)').run(), { lazy: true });
    const mark = commitMark(s);
    // Nobody waits yet: the sync starts anyway, and a commit made meanwhile is not in it.
    syncSoon(s);
    immediate(s, () => d.prepare('INSERT INTO t VALUES (2)').run(), { lazy: true });
    expect(isDurable(s, mark)).toBe(false);
    await new Promise<void>((resolve) =>
      whenDurable(
        s,
        () => {
          seen.push('marked');
          resolve();
        },
        mark,
      ),
    );
    expect(isDurable(s, mark)).toBe(true);
    // The later commit was not synced for it: no sync was started for it.
    expect(isDurable(s)).toBe(false);
    // A waiter without a mark waits for every commit so far; a marked one already on disk
    // runs at once, ahead of it.
    whenDurable(s, () => seen.push('all'));
    whenDurable(s, () => seen.push('marked again'), mark);
    expect(seen).toEqual(['marked', 'marked again']);
    await durable(s);
    expect(seen).toEqual(['marked', 'marked again', 'all']);
    expect(isDurable(s)).toBe(true);
  });

  it('a response with a mark leaves once its own commit is on disk', async () => {
    const d = open();
    const s = sqliteStore(d);
    const app = Fastify();
    durableReplies(app, s);
    app.post('/thing', (req) => {
      immediate(s, () => d.prepare('INSERT INTO t VALUES (1)').run(), { lazy: true });
      replyTellsUpTo(req, commitMark(s));
      syncSoon(s);
      // What the request starts afterwards (a job) is told of elsewhere.
      immediate(s, () => d.prepare('INSERT INTO t VALUES (2)').run(), { lazy: true });
      return { data: 'made' };
    });
    const res = await app.inject({ method: 'POST', url: '/thing' });
    expect(res.json()).toEqual({ data: 'made' });
    expect(isDurable(s, 1)).toBe(true);
    expect(isDurable(s)).toBe(false);
    await durable(s);
    await app.close();
  });

  it('a write batch delivers its follow-ups only once its commit is on disk', async () => {
    const d = open();
    const s = sqliteStore(d);
    const batch = writeBatchOf(s);
    const seen: string[] = [];
    batch.defer(
      () => void d.prepare('INSERT INTO t VALUES (1)').run(),
      () => seen.push('delivered'),
    );
    batch.flush();
    expect(count(d)).toBe(1);
    expect(isDurable(s)).toBe(false);
    expect(seen).toEqual([]);
    await durable(s);
    expect(seen).toEqual(['delivered']);
  });

  it('closing the store syncs and runs whatever still waited', () => {
    const d = open();
    const s = sqliteStore(d);
    immediate(s, () => d.prepare('INSERT INTO t VALUES (1)').run(), { lazy: true });
    const seen: (Error | null)[] = [];
    whenDurable(s, (err) => seen.push(err));
    d.close();
    db = null;
    expect(seen).toEqual([null]);
  });

  it('a WAL that cannot be synced is reported to those waiting, and a response becomes a 500', async () => {
    const d = open();
    const s = sqliteStore(d);
    const errors: string[] = [];
    // The same store, its sync pointed at a file that is not there.
    enableLazyCommits(s, join(dir, 'gone', 'store.sqlite'), (e) => errors.push(e.message));
    immediate(s, () => d.prepare('INSERT INTO t VALUES (1)').run(), { lazy: true });
    await expect(durable(s)).rejects.toThrow(/ENOENT/);
    expect(errors.length).toBe(1);

    const app = Fastify();
    durableReplies(app, s);
    app.post('/thing', () => {
      immediate(s, () => d.prepare('INSERT INTO t VALUES (2)').run(), { lazy: true });
      return { data: 'made' };
    });
    app.get('/read', () => ({ data: count(d) }));
    const res = await app.inject({ method: 'POST', url: '/thing' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ error: { code: 'INTERNAL' } });
    expect((res.json() as { error: { message: string } }).error.message).toMatch(
      /could not write its changes to the disk/,
    );
    // Nothing lazy pending: a read answers as it is.
    enableLazyCommits(s, join(dir, 'store.sqlite'));
    expect((await app.inject({ method: 'GET', url: '/read' })).json()).toEqual({ data: 2 });
    await app.close();
  });

  it.skipIf(storeKind() === 'postgres')(
    "a dataset export's accepted, started and completed commits are lazy, and reach the disk",
    async () => {
      const rig: Rig = makeRig();
      try {
        rig.addDataset('people', 10);
        const store = rig.ctx.db;
        // Told of at once (the bus, in process), on disk only at the next sync.
        const completedLazily: boolean[] = [];
        rig.ctx.events.on('export.completed', () => completedLazily.push(!isDurable(store)));
        const { export: created } = rig.svc.create({ dataset: 'people', compression: 'gzip' });
        expect(isDurable(store)).toBe(false);
        expect((await rig.waitFinal(created.id)).status).toBe('completed');
        expect(completedLazily).toEqual([true]);
        await durable(store);
        expect(isDurable(store)).toBe(true);
      } finally {
        await rig.close();
      }
    },
  );
});
