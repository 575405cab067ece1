// What every part of the schedules service shares: its stores, its view of exports, its events.
import { ApiError } from '../../../shared/errors.ts';
import type { Export } from '../../../shared/schemas/exports.ts';
import type { Schedule } from '../../../shared/schemas/schedules.ts';
import type { EngineContext } from '../context.ts';
import { isUuid } from '../ids.ts';
import type { ExportsPort } from './exports-port.ts';
import { createRunHistory } from './run-history.ts';
import { createRunsRepo } from './runs-repo.ts';
import type { ScheduleSettings, RequestValidator } from './schedule-input.ts';
import { scheduleView } from './schedule-view.ts';
import { createSchedulesRepo, type ScheduleRow } from './schedules-repo.ts';
import { nextSlot } from './timing.ts';

export interface SchedulesDeps {
  readonly exports: ExportsPort;
  /** Checks a saved request as POST /v1/exports would, so a typo fails on save, not at 3 a.m. */
  readonly validateRequest?: RequestValidator;
}

export interface RunError {
  readonly code: string;
  readonly message: string;
}

/**
 * Long waits are cut into pieces this long: timers run on a monotonic clock that may stand still
 * while a laptop sleeps, so a wake-up is noticed within a minute and the missed run starts then.
 */
export const MAX_WAIT_MS = 60_000;

export function createServiceCore(ctx: EngineContext, deps: SchedulesDeps) {
  const { db, events, logger } = ctx;
  const repo = createSchedulesRepo(db);
  const runs = createRunsRepo(db);
  const exportsSvc = deps.exports;
  const history = createRunHistory(runs, logger, ctx.paths, exportsSvc);
  const pending = new Set<Promise<unknown>>();
  const state = { started: false, closed: false };

  const tryGet = (id: string | null): Export | null => {
    if (!id) return null;
    try {
      return exportsSvc.get(id);
    } catch {
      return null;
    }
  };

  const toApi = (r: ScheduleRow): Schedule => scheduleView(r, tryGet(r.latest_export_id));

  function emitUpdated(r: ScheduleRow | undefined): void {
    if (r) events.emit('schedule.updated', toApi(r));
  }

  function mustGet(id: string): ScheduleRow {
    if (!isUuid(id))
      throw new ApiError('INVALID_REQUEST', `"${id.slice(0, 80)}" is not a schedule id.`);
    const r = repo.get(id);
    if (!r) throw new ApiError('NOT_FOUND', `No schedule ${id}.`);
    return r;
  }

  function track(p: Promise<unknown>): void {
    const t = p.catch((err: unknown) =>
      logger.warn('schedules: background work failed', { error: err as Error }),
    );
    pending.add(t);
    void t.finally(() => pending.delete(t));
  }

  /** A slot that came while busy or asleep is consumed: the timetable moves past `now`. */
  function pastSlots(r: ScheduleRow, s: ScheduleSettings, now: number): Partial<ScheduleRow> {
    if (r.next_run_at === null || r.next_run_at > now) return {};
    return { next_run_at: nextSlot(s, r.next_run_at, now) };
  }

  return {
    ctx,
    deps,
    repo,
    runs,
    history,
    exportsSvc,
    pending,
    state,
    tryGet,
    toApi,
    emitUpdated,
    mustGet,
    track,
    pastSlots,
    /** Re-arms the one timer; set by the timer loop once it exists. */
    arm: (): void => undefined,
  };
}

export type ServiceCore = ReturnType<typeof createServiceCore>;
