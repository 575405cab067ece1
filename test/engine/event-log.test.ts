// The event log's bounds: at most maxEvents lines (checked every 100 appends, by id), and no line
// older than maxAgeMs (by age at most once a minute of appends, and on every read).
import { afterEach, describe, expect, it } from 'vitest';
import { createEventLog, type EventLog } from '../../electron/engine/event-log.ts';
import { makeContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext | undefined;
let log: EventLog | undefined;
afterEach(() => {
  log?.close();
  ctx?.cleanup();
  log = undefined;
  ctx = undefined;
});

/** Emits `n` events and waits until the log has stored and delivered them; the last id. */
async function emit(c: TestContext, l: EventLog, n: number, tag: string): Promise<number> {
  for (let i = 0; i < n; i++) c.events.emit('export.deleted', { id: `${tag}${i}` });
  await l.settled();
  return l.lastId();
}

const ids = (l: EventLog, after: number): string[] => {
  const r = l.since(after);
  if (r.kind !== 'events') return ['reload'];
  return r.events.map((e) => (JSON.parse(e.json) as { id: string }).id);
};

describe('event log bounds', () => {
  it('keeps at most maxEvents lines once 100 appends have run', async () => {
    ctx = makeContext();
    log = createEventLog(ctx, { maxEvents: 5, maxAgeMs: 24 * 3600_000 });
    const first = await emit(ctx, log, 1, 'first');
    const last = await emit(ctx, log, 120, 'x');
    expect(ids(log, first)).toEqual(['reload']);
    expect(ids(log, last - 3)).toEqual(['x117', 'x118', 'x119']);
    expect(ids(log, last)).toEqual([]);
  });

  it('drops lines older than maxAgeMs: with appends once a minute is due, and on a read', async () => {
    ctx = makeContext();
    const c = ctx;
    log = createEventLog(c, { maxEvents: 10_000, maxAgeMs: 20_000 });
    const stored = () =>
      Number((c.db.prepare('SELECT count(*) AS n FROM event_log').get() as { n: number }).n);
    await emit(c, log, 3, 'old');
    c.clock.advance(61_000);
    // The 100th append prunes by age (a minute since the last time): the three old lines go.
    const newest = await emit(c, log, 100, 'new');
    expect(stored()).toBe(100);

    // Within the minute, appends leave aged lines alone; a read drops them (the 101 lines of 30 s
    // ago), and keeps the rest.
    const fresh = await emit(c, log, 1, 'fresh');
    c.clock.advance(30_000);
    await emit(c, log, 99, 'soon');
    expect(stored()).toBe(200);
    expect(ids(log, newest)).toEqual(['reload']);
    expect(stored()).toBe(99);
    expect(ids(log, fresh)).toHaveLength(99);
  });
});
