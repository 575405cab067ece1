// The export events a client sees (GET /v1/events): every status change at once and in order,
// progress at most every PROGRESS_EVENT_MS, and the last event of an export its final state.
import { afterEach, describe, expect, it } from 'vitest';
import type { Export } from '../../../shared/schemas/exports.ts';
import { PROGRESS_EVENT_MS } from '../../../electron/engine/exports/exports-service.ts';
import { makeRig, type Rig } from './harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const ORDER = ['pending', 'processing', 'completed'];

/** export.updated events of one export, with the real time each was sent. */
function watch(r: Rig): Map<string, { at: number; exp: Export }[]> {
  const seen = new Map<string, { at: number; exp: Export }[]>();
  r.ctx.events.onAny((name, data) => {
    if (name !== 'export.updated') return;
    const exp = data as Export;
    seen.set(exp.id, [...(seen.get(exp.id) ?? []), { at: performance.now(), exp }]);
  });
  return seen;
}

describe('export events', () => {
  it('tells each status once, in order, and ends on the completed export', async () => {
    rig = makeRig();
    rig.addDataset('people', 20);
    const seen = watch(rig);
    const ids = Array.from(
      { length: 20 },
      (_, i) =>
        rig!.svc.create({
          dataset: 'people',
          filter: { where: [{ column: 'id', op: 'eq', value: i + 1 }] },
        }).export.id,
    );
    for (const id of ids) expect((await rig.waitFinal(id)).status).toBe('completed');
    for (const id of ids) {
      const events = seen.get(id)!;
      const statuses = events.map((e) => e.exp.status);
      // Every status is told (a status change never waits), in the order it happened.
      expect([...new Set(statuses)]).toEqual(ORDER);
      expect(statuses.map((s) => ORDER.indexOf(s))).toEqual(
        [...statuses.map((s) => ORDER.indexOf(s))].sort((a, b) => a - b),
      );
      // The last event is the export as it is now: nothing stale arrives after it.
      const last = events.at(-1)!.exp;
      expect(last.status).toBe('completed');
      expect(last).toEqual(rig.svc.get(id));
      // Stages passed within a few milliseconds come as one event at most, not one each.
      const progressOnly = statuses.filter((s) => s === 'processing').length - 1;
      expect(progressOnly).toBeLessThanOrEqual(3);
    }
    // Nothing is told after the last event: a progress event still waiting was dropped.
    const total = [...seen.values()].reduce((n, e) => n + e.length, 0);
    await new Promise((r) => setTimeout(r, PROGRESS_EVENT_MS * 3));
    expect([...seen.values()].reduce((n, e) => n + e.length, 0)).toBe(total);
  }, 30_000);

  it('keeps telling a long export progress, at most every PROGRESS_EVENT_MS', async () => {
    // A progress message after every 64 KiB block (the rig's worker reports without pause): many
    // progress changes a second, about as many as pages of 1,000 rows. Smaller blocks, with the
    // native reader, send thousands a second, more than the main thread can store on PostgreSQL
    // before the export ends (the engine's own pause, 125 ms, never does that). Level 9 keeps the
    // export long enough to report more than once, also on a loaded machine (with 60,000 rows,
    // it once told none in a CI run beside other tests).
    rig = makeRig({}, { blockBytes: 64 * 1024 });
    rig.addDataset('people', 150_000);
    const seen = watch(rig);
    const { export: created } = rig.svc.create({
      dataset: 'people',
      compression: 'gzip',
      compression_level: 9,
    });
    expect((await rig.waitFinal(created.id, 60_000)).status).toBe('completed');
    const events = seen.get(created.id)!;
    const progress = events.filter((e) => e.exp.status === 'processing').slice(1);
    const rows = progress.map((e) => e.exp.rows_done);
    expect(
      rows.length,
      `progress events of a ${events.at(-1)!.at - events[0]!.at} ms export`,
    ).toBeGreaterThanOrEqual(2);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    for (let i = 1; i < progress.length; i++) {
      // Timers may fire a millisecond early by the clock read here.
      expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(PROGRESS_EVENT_MS - 2);
    }
    expect(events.at(-1)!.exp.status).toBe('completed');
  }, 60_000);
});
