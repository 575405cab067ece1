import { afterEach, describe, expect, it } from 'vitest';
import { makeHarness, leads, type Harness } from './harness.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

let h: Harness;
afterEach(async () => h.cleanup());

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('schedule timing with a fake clock', () => {
  it('runs a 9 a.m. New York cron at 9 local on both sides of the March change', async () => {
    h = makeHarness({ start: '2026-03-07T00:00:00Z' });
    const s = h.svc.create(leads({ cron: '0 9 * * *', timezone: 'America/New_York' }));
    expect(s.next_run_at).toBe('2026-03-07T14:00:00.000Z');
    await h.drive(3 * DAY, HOUR);
    expect(h.runTimes(s.id)).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
    expect(h.svc.get(s.id).next_run_at).toBe('2026-03-10T13:00:00.000Z');
  });

  it('runs a 1:30 a.m. cron once on the November night 1:30 happens twice', async () => {
    h = makeHarness({ start: '2026-10-31T12:00:00Z' });
    const s = h.svc.create(leads({ cron: '30 1 * * *', timezone: 'America/New_York' }));
    await h.drive(2 * DAY, 15 * 60_000);
    expect(h.runTimes(s.id)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('keeps an interval on its grid of elapsed time across a DST change', async () => {
    h = makeHarness({ start: '2026-03-08T04:00:00Z' });
    const s = h.svc.create(leads({ every_seconds: 3600, timezone: 'America/New_York' }));
    await h.drive(4 * HOUR, 10 * 60_000);
    expect(h.runTimes(s.id)).toEqual([
      '2026-03-08T05:00:00.000Z',
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T08:00:00.000Z',
    ]);
  });

  it('after a long sleep, runs a missed schedule once, not once per missed slot', async () => {
    const clock = new FakeClock('2026-03-01T12:00:00Z');
    h = makeHarness({ clock });
    const s = h.svc.create(leads({ every_seconds: 3600 }));
    clock.advance(HOUR);
    await h.completeOpen();
    expect(h.runTimes(s.id)).toHaveLength(1);

    clock.sleep(3 * DAY); // the lid closes for three days; overdue timers fire within a minute of waking
    await h.completeOpen();
    const times = h.runTimes(s.id);
    expect(times).toHaveLength(2);
    expect(Date.parse(times[1]!)).toBeGreaterThanOrEqual(Date.parse('2026-03-04T13:00:00Z'));
    // Back on the hourly grid anchored at the first planned slot, after now.
    const next = Date.parse(h.svc.get(s.id).next_run_at!);
    expect(next).toBeGreaterThan(clock.now());
    expect((next - Date.parse('2026-03-01T13:00:00Z')) % HOUR).toBe(0);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('after the app was off for days, runs once on start-up', async () => {
    h = makeHarness();
    const s = h.svc.create(leads({ every_seconds: 600 }));
    await h.svc.close();
    h.base.clock.advance(5 * DAY);
    await h.restart();
    expect(h.fake.open()).toHaveLength(1);
    await h.completeOpen();
    h.base.clock.advance(60_000);
    expect(h.runTimes(s.id)).toHaveLength(1);
  });

  it('never overlaps two runs: a slot that comes while a run is slow is skipped', async () => {
    h = makeHarness();
    const s = h.svc.create(leads({ every_seconds: 60 }));
    h.base.clock.advance(60_000);
    expect(h.fake.open()).toHaveLength(1);
    // The run takes 150 s: the slots at 120 s and 180 s come while it is still running.
    h.base.clock.advance(150_000);
    expect(h.fake.open()).toHaveLength(1);
    expect(h.svc.get(s.id).running_export_id).toBe(h.fake.open()[0]!.id);
    await h.completeOpen();
    // The next run is the next slot on the grid (240 s), not an immediate catch-up.
    expect(h.svc.get(s.id).next_run_at).toBe('2026-03-01T12:04:00.000Z');
    h.base.clock.advance(29_000);
    expect(h.fake.open()).toHaveLength(0);
    h.base.clock.advance(1_000);
    expect(h.runTimes(s.id)).toEqual(['2026-03-01T12:01:00.000Z', '2026-03-01T12:04:00.000Z']);
    expect(() => h.svc.runNow(s.id)).toThrow(/in progress/);
  });

  it('keeps one timer for all schedules, however many and however often they change', async () => {
    h = makeHarness();
    const ids = [1, 2, 3, 4, 5].map(
      (i) => h.svc.create(leads({ name: `s${i}`, every_seconds: 30 * i })).id,
    );
    for (const id of ids) h.svc.update(id, { every_seconds: 45 });
    h.svc.update(ids[0]!, { enabled: false });
    expect(h.base.clock.pendingTimers()).toBe(1);
    await h.drive(10 * 60_000, 5_000);
    expect(h.base.clock.pendingTimers()).toBe(1);
    expect(h.runTimes(ids[0]!)).toHaveLength(0);
    expect(h.runTimes(ids[1]!)).toHaveLength(13);
    for (const id of ids) h.svc.delete(id);
    expect(h.base.clock.pendingTimers()).toBe(0);
  });

  it('a restart keeps next_run_at and does not run again what is already running', async () => {
    h = makeHarness();
    const a = h.svc.create(leads({ name: 'a', every_seconds: 3600 }));
    const b = h.svc.create(leads({ name: 'b', cron: '0 18 * * *', timezone: 'UTC' }));
    h.base.clock.advance(HOUR);
    expect(h.fake.open()).toHaveLength(1);
    const beforeB = h.svc.get(b.id).next_run_at;
    await h.restart();
    expect(h.fake.open()).toHaveLength(1);
    expect(h.svc.get(b.id).next_run_at).toBe(beforeB);
    expect(h.svc.get(a.id).next_run_at).toBe('2026-03-01T14:00:00.000Z');
    // The run finished while the app was closed: settled on the next start, no double run.
    const running = h.fake.open()[0]!;
    await h.svc.close();
    await h.fake.complete(running.id);
    await h.restart();
    const after = h.svc.get(a.id);
    expect(after.running_export_id).toBeNull();
    expect(after.latest_export?.id).toBe(running.id);
    expect(h.fake.open()).toHaveLength(0);
    h.base.clock.advance(HOUR);
    expect(h.runTimes(a.id)).toHaveLength(2);
  });
});
