// One timer for all schedules: it starts what is due, then re-arms for the earliest next moment.
import type { TimerHandle } from '../clock.ts';
import type { RunStart } from './run-start.ts';
import { MAX_WAIT_MS, type ServiceCore } from './service-core.ts';
import { createWallWatch } from './wall-watch.ts';

export function createTimerLoop(core: ServiceCore, start: RunStart) {
  const { repo, state } = core;
  const { db, clock, logger } = core.ctx;
  const wall = createWallWatch(db, clock, logger);
  let timer: TimerHandle | null = null;
  /** The wall time the timer should fire at: a tick much earlier means the clock went back. */
  let armedFor: number | null = null;

  /** Starts what is due. A schedule that missed several slots (asleep, off) runs once, here. */
  function tick(): void {
    timer = null;
    if (state.closed) return;
    wall.check(armedFor ?? undefined);
    const now = clock.now();
    for (const r of repo.due(now)) {
      const slotDue = r.next_run_at !== null && r.next_run_at <= now;
      const freshDue = r.fresh_due_at !== null && r.fresh_due_at <= now;
      start.startRun(r, !slotDue && freshDue ? 'refresh' : 'run', now);
    }
    arm();
  }

  /** Re-armed after every change: never one timer per schedule or slot. */
  function arm(): void {
    timer?.cancel();
    timer = null;
    if (!state.started || state.closed) return;
    const at = repo.earliestDue();
    if (at === null) return;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, at - clock.now()));
    armedFor = clock.now() + wait;
    timer = clock.setTimeout(tick, wait);
  }

  function cancel(): void {
    timer?.cancel();
    timer = null;
  }

  return { tick, arm, cancel, checkWallClock: () => wall.check() };
}
