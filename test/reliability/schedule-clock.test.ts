// Schedules against a wall clock that is set back, on the engine's fake clock: no stall, no double.
import { afterEach, describe, expect, it } from 'vitest';
import { makeHarness, leads, type Harness } from '../engine/schedules/harness.ts';

let h: Harness;
afterEach(async () => {
  await h.cleanup();
});

const MIN = 60_000;
const HOUR = 3600_000;

describe('schedules and a wall clock that moves', () => {
  it('set back one hour: the next run still comes one interval later, and only once', async () => {
    h = makeHarness();
    const s = h.svc.create(leads({ every_seconds: 600 }));
    await h.drive(10 * MIN, MIN);
    expect(h.runTimes(s.id)).toHaveLength(1);
    h.base.clock.jumpWall(-HOUR);
    // Ten minutes of elapsed time later the next run has started, although the wall clock shows
    // a time before the first run.
    await h.drive(10 * MIN, MIN);
    expect(h.runTimes(s.id)).toHaveLength(2);
    await h.drive(30 * MIN, MIN);
    expect(h.runTimes(s.id)).toHaveLength(5);
    expect(h.svc.runs(s.id, 10).items.map((r) => r.trigger)).toEqual(Array(5).fill('timetable'));
  });

  it('forward then back: nothing recorded stays in the future', async () => {
    h = makeHarness();
    const s = h.svc.create(leads({ every_seconds: 600, first_run: 'now' }));
    h.base.clock.jumpWall(2 * HOUR);
    await h.drive(MIN, MIN);
    h.base.clock.jumpWall(-2 * HOUR);
    await h.drive(2 * MIN, MIN);
    const now = h.base.clock.now();
    const sch = h.svc.get(s.id);
    expect(Date.parse(sch.last_run_at!)).toBeLessThanOrEqual(now);
    for (const run of h.svc.runs(s.id, 10).items) {
      expect(Date.parse(run.started_at)).toBeLessThanOrEqual(now);
      if (run.ended_at) expect(Date.parse(run.ended_at)).toBeLessThanOrEqual(now);
    }
    // The next slot is one interval of elapsed time after the last run, not two hours away.
    expect(Date.parse(sch.next_run_at!) - now).toBeLessThanOrEqual(10 * MIN);
  });
});
