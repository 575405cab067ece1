// An export accepted while a worker is free starts in the commit that accepts it (runner.ts
// acceptAndStart): one commit and one sync of the WAL per small export instead of two. What a
// client sees stays the same: the answer tells of the export as accepted, the events tell pending,
// then processing; a full pool and older waiting exports still come first.
import { afterEach, describe, expect, it } from 'vitest';
import { commitMark } from '../../../electron/engine/store/durability.ts';
import { storeKind } from '../../helpers/test-store.ts';
import { makeRig, type Rig } from './harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const oneRow = (id: number) => ({
  dataset: 'people',
  filter: { where: [{ column: 'id', op: 'eq' as const, value: id }] },
});

/** The statuses the export.updated events told of one export, repeats folded. */
function toldStatuses(r: Rig, id: string): string[] {
  const out: string[] = [];
  for (const e of r.events)
    if (e.name === 'export.updated' && e.exp.id === id && out.at(-1) !== e.exp.status)
      out.push(e.exp.status);
  return out;
}

describe('accept and start in one commit', () => {
  it('starts an export in the commit that accepts it when a worker is free', async () => {
    rig = makeRig({ concurrency: 2 });
    rig.addDataset('people', 50);
    // The first export after start-up goes through the queue (older exports may be waiting).
    await rig.waitFinal(rig.svc.create(oneRow(1)).export.id);

    const before = commitMark(rig.ctx.db);
    const created = rig.svc.create(oneRow(2));
    const commits = commitMark(rig.ctx.db) - before;
    // The answer tells of the export as accepted; the store already has it running.
    expect(created.export.status).toBe('pending');
    const now = rig.svc.get(created.export.id);
    expect(now.status).toBe('processing');
    expect(now.history.map((h) => h.status)).toEqual(['pending', 'processing']);
    expect(now.history[1]!.at).toBe(now.history[0]!.at);
    // One lazy commit for both (SQLite; PostgreSQL's commits are durable on their own).
    if (storeKind() === 'sqlite') {
      expect(commits).toBe(1);
      expect(created.mark).toBe(commitMark(rig.ctx.db));
    }

    const done = await rig.waitFinal(created.export.id);
    expect(done.status).toBe('completed');
    expect(done.row_count).toBe(1);
    expect(toldStatuses(rig, created.export.id)).toEqual(['pending', 'processing', 'completed']);
  });

  it('with every worker busy, an export waits and older ones start first, one at a time', async () => {
    rig = makeRig({ concurrency: 1 });
    rig.addDataset('people', 50);
    await rig.waitFinal(rig.svc.create(oneRow(1)).export.id);

    const running = new Set<string>();
    let most = 0;
    const started: string[] = [];
    rig.ctx.events.onAny((name, data) => {
      const exp = data as { id: string; status: string };
      if (name !== 'export.updated') return;
      if (exp.status === 'processing' && !running.has(exp.id)) {
        running.add(exp.id);
        started.push(exp.id);
      }
      if (exp.status !== 'processing' && exp.status !== 'pending') running.delete(exp.id);
      most = Math.max(most, running.size);
    });
    // A millisecond apart: exports made in the same millisecond are taken in the order of their ids.
    const ids = Array.from({ length: 6 }, (_, i) => {
      rig!.ctx.clock.advance(1);
      return rig!.svc.create(oneRow(i + 2)).export.id;
    });
    // The first took the free worker at once; the others wait for it.
    expect(ids.map((id) => rig!.svc.get(id).status)).toEqual([
      'processing',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    for (const id of ids) expect((await rig.waitFinal(id)).status).toBe('completed');
    expect(started).toEqual(ids);
    expect(most).toBe(1);
    for (const id of ids)
      expect(toldStatuses(rig, id)).toEqual(['pending', 'processing', 'completed']);
  });

  it('an export accepted before the queue starts waits for it, then runs', async () => {
    rig = makeRig({ concurrency: 2 }, {}, false);
    rig.addDataset('people', 50);
    const id = rig.svc.create(oneRow(3)).export.id;
    expect(rig.svc.get(id).status).toBe('pending');
    rig.svc.start();
    expect((await rig.waitFinal(id)).status).toBe('completed');
  });
});
