import { afterEach, describe, expect, it, vi } from 'vitest';
import { immediate } from '../../../electron/engine/store/db.ts';
import { BATCH_MAX, writeBatchOf } from '../../../electron/engine/store/write-batch.ts';
import { createExportsRepo } from '../../../electron/engine/exports/exports-repo.ts';
import { makeContext, type TestContext } from '../../helpers/context.ts';
import { exportRow } from '../../helpers/export-row.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

/** What another connection (a restarted process) would read: only what is committed. */
const committedStage = (id: string) =>
  ctx.db.prepare('SELECT progress_stage FROM exports WHERE id = ?').pluck().get(id);

describe('write batch', () => {
  it('commits deferred writes together, later, and runs their follow-ups only after the commit', async () => {
    ctx = makeContext();
    ctx.db.exec('CREATE TABLE t (v INTEGER)');
    const batch = writeBatchOf(ctx.db);
    expect(writeBatchOf(ctx.db)).toBe(batch);
    const seen: number[] = [];
    const count = () => ctx.db.prepare('SELECT count(*) FROM t').pluck().get() as number;
    for (let i = 0; i < 3; i++)
      batch.defer(
        () => void ctx.db.prepare('INSERT INTO t VALUES (?)').run(i),
        () => seen.push(count()),
      );
    expect(count()).toBe(0);
    expect(seen).toEqual([]);
    await vi.waitFor(() => expect(seen).toEqual([3, 3, 3]));
    expect(batch.pending()).toBe(0);
  });

  it('a synchronous write takes what is queued into its own transaction first, in order', () => {
    ctx = makeContext();
    ctx.db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
    const batch = writeBatchOf(ctx.db);
    batch.defer(() => void ctx.db.prepare("INSERT INTO t VALUES ('a', 1)").run());
    let delivered = () => undefined as void;
    immediate(ctx.db, () => {
      delivered = batch.takeInto();
      ctx.db.prepare("UPDATE t SET v = 2 WHERE k = 'a'").run();
    });
    delivered();
    expect(ctx.db.prepare("SELECT v FROM t WHERE k = 'a'").pluck().get()).toBe(2);
    expect(batch.pending()).toBe(0);
  });

  it('never holds more than BATCH_MAX writes: a burst commits in steps', () => {
    ctx = makeContext();
    ctx.db.exec('CREATE TABLE t (v INTEGER)');
    const batch = writeBatchOf(ctx.db);
    for (let i = 0; i < BATCH_MAX + 5; i++)
      batch.defer(() => void ctx.db.prepare('INSERT INTO t VALUES (?)').run(i));
    expect(ctx.db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(BATCH_MAX);
    expect(batch.pending()).toBe(5);
    batch.flush();
    expect(ctx.db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(BATCH_MAX + 5);
  });
});

describe('exports repo progress', () => {
  it('is seen by readers at once, stored with the next batch, and never lands after a status change', () => {
    ctx = makeContext();
    const repo = createExportsRepo(ctx.db);
    const r = exportRow({ created_at: ctx.clock.now() });
    repo.insert(r);
    repo.transition(r.id, 'processing', ctx.clock.now(), { progress_stage: 'starting' });
    repo.progress(r.id, { progress_stage: 'writing rows', rows_done: 5 });
    expect(repo.get(r.id)).toMatchObject({ progress_stage: 'writing rows', rows_done: 5 });
    expect(repo.toExport(repo.mustGet(r.id)).progress_stage).toBe('writing rows');
    expect(repo.byStatus('processing')[0]).toMatchObject({ rows_done: 5 });
    expect(committedStage(r.id)).toBe('starting');
    // The completion takes the queued progress into its own transaction, before its own fields.
    repo.transition(r.id, 'completed', ctx.clock.now(), { progress_stage: 'completed' });
    expect(committedStage(r.id)).toBe('completed');
    expect(ctx.db.prepare('SELECT rows_done FROM exports WHERE id = ?').pluck().get(r.id)).toBe(5);
    repo.flush();
    expect(committedStage(r.id)).toBe('completed');
    expect(repo.get(r.id)!.status).toBe('completed');
  });
});
