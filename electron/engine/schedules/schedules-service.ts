// Schedules: saved export requests run on a cron or interval timetable, kept fresh before expiry.
// This file holds the service's commands; runs start in run-start.ts, end in run-end.ts, the
// timer is timer-loop.ts and the exports schedules made are followed in keep-fresh.ts.
import { existsSync } from 'node:fs';
import { ApiError } from '../../../shared/errors.ts';
import type {
  Schedule,
  ScheduleCreate,
  ScheduleUpdate,
} from '../../../shared/schemas/schedules.ts';
import type { EngineContext } from '../context.ts';
import { newId } from '../ids.ts';
import { finalStatuses } from './exports-port.ts';
import { createKeepFresh } from './keep-fresh.ts';
import { pruneRuns } from './retain.ts';
import { createRunEnd } from './run-end.ts';
import { changesFileOf } from './run-history.ts';
import { createRunStart } from './run-start.ts';
import { settingsFromCreate, settingsFromPatch } from './schedule-input.ts';
import { freshDueAt, newScheduleRow, settingsFields, settingsOf } from './schedule-view.ts';
import type { ScheduleRow } from './schedules-repo.ts';
import { createServiceCore, type SchedulesDeps } from './service-core.ts';
import { createTimerLoop } from './timer-loop.ts';
import { nextSlot, previewRuns } from './timing.ts';

export type { SchedulesDeps } from './service-core.ts';

export function createSchedulesService(ctx: EngineContext, deps: SchedulesDeps) {
  const { clock, events, logger } = ctx;
  const core = createServiceCore(ctx, deps);
  const { repo, history, exportsSvc, pending, state, tryGet, toApi, emitUpdated, mustGet, track } =
    core;
  const end = createRunEnd(core);
  const start = createRunStart(core, end);
  const loop = createTimerLoop(core, start);
  core.arm = loop.arm;
  const keepFresh = createKeepFresh(core, end);
  const unsubscribe = keepFresh.watch();
  const arm = loop.arm;

  function create(body: ScheduleCreate): Schedule {
    const now = clock.now();
    const s = settingsFromCreate(body, now, deps.validateRequest);
    const row = newScheduleRow(newId(now), s, now, body.first_run);
    repo.insert(row);
    const api = toApi(repo.get(row.id)!);
    events.emit('schedule.updated', api);
    arm();
    return api;
  }

  function update(id: string, patch: ScheduleUpdate): Schedule {
    const cur = mustGet(id);
    const now = clock.now();
    const before = settingsOf(cur);
    const s = settingsFromPatch(before, patch, now, deps.validateRequest);
    const retimed =
      s.cron !== before.cron ||
      s.every_seconds !== before.every_seconds ||
      s.timezone !== before.timezone ||
      s.enabled !== before.enabled;
    const fields: Partial<ScheduleRow> = { ...settingsFields(s), updated_at: now };
    // Another incremental column (or none) starts again from all rows.
    if (s.incremental_column !== before.incremental_column) fields.high_water_json = null;
    if (retimed) {
      // A new timetable (or a resume) starts from now: no catch-up for paused time, no old backoff.
      fields.next_run_at = s.enabled ? nextSlot(s, null, now) : null;
      fields.retry_at = null;
    }
    const latest = tryGet(cur.latest_export_id);
    fields.fresh_due_at = s.enabled ? freshDueAt(s, latest, now) : null;
    const updated = repo.update(id, fields)!;
    emitUpdated(updated);
    if (s.retain !== null && s.retain !== before.retain) {
      track(
        pruneRuns(
          exportsSvc,
          logger,
          id,
          s.retain,
          [cur.latest_export_id, cur.running_export_id],
          history.markPruned(s.retain),
        ),
      );
    }
    arm();
    return toApi(updated);
  }

  function remove(id: string): void {
    mustGet(id);
    // A run in progress finishes as a plain export; its files and the schedule's past runs stay.
    repo.remove(id);
    events.emit('schedule.deleted', { id });
    arm();
  }

  function runNow(id: string): Schedule {
    const r = mustGet(id);
    if (r.running_export_id !== null)
      throw new ApiError(
        'CONFLICT',
        `A run of this schedule is in progress (export ${r.running_export_id}); runs never overlap.`,
        { running_export_id: r.running_export_id },
      );
    const result = start.startRun(r, 'run', clock.now(), 'run_now');
    arm();
    if ('taken' in result)
      throw new ApiError('CONFLICT', 'Another engine started a run of this schedule just now.');
    // The failure is on the schedule (last_error, backoff) and the caller hears it too.
    if ('error' in result) {
      if (result.error instanceof ApiError) throw result.error;
      throw new ApiError('INTERNAL', 'The run could not start.');
    }
    return toApi(repo.get(id)!);
  }

  function latestDownload(id: string, file = 0): string {
    const r = mustGet(id);
    if (r.latest_export_id) return exportsSvc.downloadLocation(r.latest_export_id, file);
    if (r.running_export_id)
      throw new ApiError(
        'EXPORT_NOT_READY',
        'The first run of this schedule is still in progress.',
        {
          running_export_id: r.running_export_id,
        },
      );
    throw new ApiError(
      'NOT_FOUND',
      'This schedule has no completed export yet; POST /v1/schedules/{id}/run makes one.',
    );
  }

  /** After a restart: runs that ended while we were away are settled, keep-fresh times re-read. */
  function reconcile(): void {
    loop.checkWallClock();
    start.resumeClaimedRuns();
    for (const r of repo.running()) {
      const exp = tryGet(r.running_export_id);
      if (!exp) end.finishRun(null, r.running_export_id!);
      else if (finalStatuses.includes(exp.status)) end.finishRun(exp);
    }
    const now = clock.now();
    for (const r of repo.list()) {
      if (r.enabled && r.keep_fresh && r.running_export_id === null)
        keepFresh.refreshLatest(r, now);
    }
  }

  return {
    list: (): Schedule[] => repo.list().map(toApi),
    get: (id: string): Schedule => toApi(mustGet(id)),
    create,
    update,
    delete: remove,
    runNow,
    latestDownload,
    /** The history of runs, newest first; `cursor` is the number of the last run of the page before. */
    runs(id: string, limit = 50, cursor?: string) {
      mustGet(id);
      return history.page(id, limit, cursor);
    },
    /** The changes file of run `n`: a CSV of `change,key,old,new` rows. */
    changesFile(id: string, n: number): string {
      mustGet(id);
      const run = core.runs.get(id, n);
      if (!run) throw new ApiError('NOT_FOUND', `This schedule has no run #${n}.`);
      const path = changesFileOf(ctx.paths, id, n);
      if (!run.changes_json || !existsSync(path))
        throw new ApiError(
          'NOT_FOUND',
          run.file_removed
            ? `Run #${n}'s changes were removed with its file (${run.file_removed}).`
            : `Run #${n} has no changes file: it is the first run, has not completed, or the previous run's copy was gone.`,
        );
      return path;
    },
    previewRuns: (
      spec: { cron?: string | null; every_seconds?: number | null; timezone?: string | null },
      count = 5,
    ) => previewRuns(spec, count, clock.now()),
    start(): void {
      if (state.started || state.closed) return;
      state.started = true;
      reconcile();
      loop.begin();
    },
    /** Stops the timer and waits for pruning in flight; runs in progress carry on as exports. */
    async close(): Promise<void> {
      state.closed = true;
      loop.cancel();
      for (const off of unsubscribe) off();
      await Promise.all([...pending]);
    },
    /** Tests and shutdown: resolves once background pruning has finished. */
    idle: async (): Promise<void> => {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}

export type SchedulesService = ReturnType<typeof createSchedulesService>;
