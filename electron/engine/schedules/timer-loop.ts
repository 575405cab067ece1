// One timer for all schedules: it starts what is due, then re-arms for the earliest next moment.
import type { TimerHandle } from '../clock.ts';
import type { RunStart } from './run-start.ts';
import { MAX_WAIT_MS, type ServiceCore } from './service-core.ts';
import { createWallWatch } from './wall-watch.ts';
import { isShared } from '../store/store-db.ts';

/** How often, in real time, an engine on a shared store looks for schedules made elsewhere. */
export const SHARED_LOOK_MS = 1000;

export function createTimerLoop(core: ServiceCore, start: RunStart) {
  const { repo, state } = core;
  const { db, clock, logger } = core.ctx;
  const wall = createWallWatch(db, clock, logger);
  let timer: TimerHandle | null = null;
  /** The wall time the timer should fire at: a tick much earlier means the clock went back. */
  let armedFor: number | null = null;
  // On a shared store other engines create, change and enable schedules this one hears nothing of
  // (their events reach streams, not this loop): it re-arms every second of real time, so a
  // schedule made elsewhere fires here too, once across the fleet (run-start.ts claims each slot
  // under the write lock). A real interval, not the engine's clock: a test's fake clock jumping
  // hours ahead must not fire a look per second it skipped.
  let look: ReturnType<typeof setInterval> | null = null;
  const shared = isShared(db);

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

  /** Starts what is due now, then keeps the timer armed; on a shared store, looks every second. */
  function begin(): void {
    tick();
    if (!shared || look) return;
    let failing = false; // a store that stops answering is logged once, not every second
    look = setInterval(() => {
      try {
        if (!state.closed) arm();
        failing = false;
      } catch (err) {
        if (!failing)
          logger.warn('could not look for schedules due; retrying every second', {
            error: (err as Error).message,
          });
        failing = true;
      }
    }, SHARED_LOOK_MS);
    look.unref();
  }

  function cancel(): void {
    if (look) clearInterval(look);
    look = null;
    timer?.cancel();
    timer = null;
  }

  return { begin, tick, arm, cancel, checkWallClock: () => wall.check() };
}
