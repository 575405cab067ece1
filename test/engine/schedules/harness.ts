// One schedules service on a fresh store with the fake exports service, driven by a fake clock.
import { ApiError } from '../../../shared/errors.ts';
import type { ScheduleCreate } from '../../../shared/schemas/schedules.ts';
import type { Clock } from '../../../electron/engine/clock.ts';
import type { EngineConfig, EngineContext } from '../../../electron/engine/context.ts';
import {
  createSchedulesService,
  type SchedulesService,
} from '../../../electron/engine/schedules/schedules-service.ts';
import { makeContext, type TestContext } from '../../helpers/context.ts';
import { FakeExports } from './fake-exports.ts';

export interface Harness {
  readonly ctx: EngineContext;
  readonly base: TestContext;
  readonly fake: FakeExports;
  svc: SchedulesService;
  /** A new service on the same database, as after an app restart. */
  restart(): Promise<void>;
  /** Completes every export still open (each run's export finishes now). */
  completeOpen(): Promise<number>;
  /** Moves the clock in steps, completing open exports after each step. */
  drive(totalMs: number, stepMs: number): Promise<void>;
  /** Start times of the runs of a schedule, oldest first. */
  runTimes(scheduleId: string): string[];
  cleanup(): Promise<void>;
}

export function makeHarness(
  opts: { start?: string; config?: Partial<EngineConfig>; clock?: Clock } = {},
): Harness {
  const base = makeContext(opts.config);
  if (opts.start) base.clock.set(opts.start);
  const ctx: EngineContext = opts.clock ? { ...base, clock: opts.clock } : base;
  const fake = new FakeExports(ctx);
  const make = () =>
    createSchedulesService(ctx, {
      exports: fake,
      validateRequest: (r) => {
        if (r.dataset && !fake.datasets.has(r.dataset))
          throw new ApiError('INVALID_REQUEST', `unknown dataset "${r.dataset}"`);
      },
    });
  const h: Harness = {
    ctx,
    base,
    fake,
    svc: make(),
    async restart() {
      await h.svc.close();
      h.svc = make();
      h.svc.start();
    },
    async completeOpen() {
      const open = fake.open();
      for (const e of open) await fake.complete(e.id);
      await h.svc.idle();
      return open.length;
    },
    async drive(totalMs, stepMs) {
      for (let done = 0; done < totalMs; done += stepMs) {
        base.clock.advance(Math.min(stepMs, totalMs - done));
        await h.completeOpen();
      }
    },
    runTimes(scheduleId) {
      return [...fake.all.values()]
        .filter((e) => e.schedule_id === scheduleId)
        .map((e) => e.created_at)
        .sort();
    },
    async cleanup() {
      await h.svc.close();
      base.cleanup();
    },
  };
  h.svc.start();
  return h;
}

export const leads = (extra: Partial<ScheduleCreate> = {}): ScheduleCreate => ({
  name: 'daily leads',
  request: { dataset: 'leads' },
  timezone: 'UTC',
  ...extra,
});
