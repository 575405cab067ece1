// Schedules: saved export requests run on a cron or interval timetable, kept fresh before expiry.
import { ApiError } from '../../../shared/errors.ts';
import type { Export } from '../../../shared/schemas/exports.ts';
import type {
  Schedule,
  ScheduleCreate,
  ScheduleUpdate,
} from '../../../shared/schemas/schedules.ts';
import { isoOrNull, type TimerHandle } from '../clock.ts';
import type { EngineContext } from '../context.ts';
import { isUuid, newId } from '../ids.ts';
import { crashPoint } from '../safety/fault-injection.ts';
import { immediate } from '../store/db.ts';
import { finalStatuses, type ExportsPort } from './exports-port.ts';
import { completedRuns, pruneRuns } from './retain.ts';
import {
  settingsFromCreate,
  settingsFromPatch,
  type RequestValidator,
  type ScheduleSettings,
} from './schedule-input.ts';
import { createRunsRepo, type RunTrigger } from './runs-repo.ts';
import { createRunHistory } from './run-history.ts';
import { createSchedulesRepo, type ScheduleRow } from './schedules-repo.ts';
import { createWallWatch } from './wall-watch.ts';
import {
  freshDueAt,
  newScheduleRow,
  runRequest,
  scheduleView,
  settingsFields,
  settingsOf,
} from './schedule-view.ts';
import { backoffMs, nextSlot, previewRuns } from './timing.ts';

export interface SchedulesDeps {
  readonly exports: ExportsPort;
  /** Checks a saved request as POST /v1/exports would, so a typo fails on save, not at 3 a.m. */
  readonly validateRequest?: RequestValidator;
}

/**
 * Long waits are cut into pieces this long: timers run on a monotonic clock that may stand still
 * while a laptop sleeps, so a wake-up is noticed within a minute and the missed run starts then.
 */
const MAX_WAIT_MS = 60_000;

interface RunError {
  readonly code: string;
  readonly message: string;
}

export function createSchedulesService(ctx: EngineContext, deps: SchedulesDeps) {
  const { db, clock, events, logger } = ctx;
  const repo = createSchedulesRepo(db);
  const runs = createRunsRepo(db);
  const history = createRunHistory(runs, logger);
  const { refreshStableFile, recordRunEnd, markPruned } = history;
  const wall = createWallWatch(db, clock, logger);
  const exportsSvc = deps.exports;
  let timer: TimerHandle | null = null;
  /** The wall time the timer should fire at: a tick much earlier means the clock went back. */
  let armedFor: number | null = null;
  let started = false;
  let closed = false;
  const pending = new Set<Promise<unknown>>();

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

  function recordFailure(id: string, error: RunError, extra: Partial<ScheduleRow>): void {
    const now = clock.now();
    const r = immediate(db, () => {
      const cur = repo.get(id);
      if (!cur) return undefined;
      const failures = cur.consecutive_failures + 1;
      return repo.update(id, {
        ...extra,
        running_export_id: null,
        running_kind: null,
        consecutive_failures: failures,
        retry_at: now + backoffMs(failures),
        last_error_json: JSON.stringify({ code: error.code, message: error.message, at: now }),
        updated_at: now,
      });
    });
    if (!r) return;
    logger.warn('schedule run failed', {
      schedule_id: id,
      code: error.code,
      consecutive_failures: r.consecutive_failures,
      retry_at: isoOrNull(r.retry_at),
    });
    const api = toApi(r);
    events.emit('schedule.failed', api);
    events.emit('schedule.updated', api);
  }

  /** What started a run, for its history. */
  function triggerOf(r: ScheduleRow, kind: 'run' | 'refresh', now: number): RunTrigger {
    if (kind === 'refresh') return 'keep_fresh';
    if (r.consecutive_failures > 0) return 'retry';
    // A slot missed by more than the loop's longest wait was missed while asleep or off.
    if (r.next_run_at !== null && now - r.next_run_at > MAX_WAIT_MS * 2) return 'catch_up';
    return 'timetable';
  }

  /**
   * Creates the export of a claimed run. The idempotency key makes this safe to repeat after a
   * crash: the export a killed process created is found again, never created twice.
   */
  function createRunExport(r: ScheduleRow, n: number, startedAt: number, refresh: boolean) {
    const s = settingsOf(r);
    return exportsSvc.create(runRequest(r.name, s, n, startedAt), {
      scheduleId: r.id,
      recreatedFrom: refresh ? r.latest_export_id : null,
      idempotencyKey: `schedule-run:${r.id}:${n}`,
    }).export;
  }

  function attachRun(id: string, n: number, exp: Export, kind: 'run' | 'refresh'): void {
    const updated = immediate(db, () => {
      runs.update(id, n, { export_id: exp.id, status: exp.status });
      return repo.update(id, { running_export_id: exp.id, running_kind: kind });
    });
    logger.info('schedule fired', { schedule_id: id, export_id: exp.id, kind, run: n });
    if (updated) {
      const api = toApi(updated);
      events.emit('schedule.fired', api);
      events.emit('schedule.updated', api);
    }
    // Read it again: an export that ended while create() was still emitting was not ours yet.
    const settled = tryGet(exp.id);
    if (settled && finalStatuses.includes(settled.status)) finishRun(settled);
  }

  /**
   * Starts one run (or keep-fresh re-creation) of a schedule that has none in progress. The slot
   * is claimed and the run numbered in one transaction first; a crash after that finishes this
   * same run on restart (reconcile), so one slot never makes two exports.
   */
  function startRun(
    r: ScheduleRow,
    kind: 'run' | 'refresh',
    now: number,
    trigger: RunTrigger = triggerOf(r, kind, now),
  ): { export: Export } | { error: unknown } {
    const s = settingsOf(r);
    const n = r.run_count + 1;
    const consumed: Partial<ScheduleRow> = {
      ...pastSlots(r, s, now),
      last_run_at: now,
      run_count: n,
      updated_at: now,
    };
    immediate(db, () => {
      runs.claim(r.id, n, trigger, now);
      repo.update(r.id, consumed);
    });
    let exp: Export;
    try {
      exp = createRunExport(r, n, now, kind === 'refresh');
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const error = { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) };
      runs.update(r.id, n, { status: 'failed', ended_at: now, error_json: JSON.stringify(error) });
      recordFailure(r.id, error, {});
      return { error: err };
    }
    crashPoint('schedule:export-created');
    attachRun(r.id, n, exp, kind);
    return { export: exp };
  }

  /** After a crash between claiming a run and attaching its export: finish that same run. */
  function resumeClaimedRuns(): void {
    for (const run of runs.starting()) {
      const r = repo.get(run.schedule_id);
      if (!r) {
        runs.update(run.schedule_id, run.number, { status: 'canceled', ended_at: clock.now() });
        continue;
      }
      const kind = run.trigger === 'keep_fresh' ? 'refresh' : 'run';
      try {
        attachRun(
          r.id,
          run.number,
          createRunExport(r, run.number, run.started_at, kind === 'refresh'),
          kind,
        );
      } catch (err) {
        const e = err as { code?: string; message?: string };
        const error = { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) };
        runs.update(r.id, run.number, {
          status: 'failed',
          ended_at: clock.now(),
          error_json: JSON.stringify(error),
        });
        recordFailure(r.id, error, {});
      }
    }
  }

  /** The running export of a schedule reached a final status (or vanished: `exp` null). */
  function finishRun(exp: Export | null, goneId?: string): void {
    const id = exp?.id ?? goneId!;
    const r = repo.byExport(id).find((x) => x.running_export_id === id);
    if (!r) return;
    const now = clock.now();
    const s = settingsOf(r);
    const n = recordRunEnd(exp, id, now);
    // A slot that came while this run was in progress is skipped, not queued behind it: the run
    // that just ended is that slot's fresh data, and queued slots would run back to back forever
    // when runs are slower than the interval.
    const skipped = pastSlots(r, s, now);
    if (exp && exp.status === 'completed') {
      const warning = exp.error
        ? { last_error_json: JSON.stringify({ ...exp.error, at: now }) }
        : {};
      const updated = repo.update(r.id, {
        ...skipped,
        ...warning,
        running_export_id: null,
        running_kind: null,
        latest_export_id: exp.id,
        fresh_due_at: freshDueAt(s, exp, now),
        consecutive_failures: 0,
        retry_at: null,
        updated_at: now,
      });
      emitUpdated(updated);
      const retain = s.retain;
      track(
        (async () => {
          if (n !== null) await refreshStableFile(r.id, n, exp);
          if (retain !== null)
            await pruneRuns(exportsSvc, logger, r.id, retain, [exp.id], markPruned(retain));
        })(),
      );
    } else {
      const error: RunError = exp?.error
        ? exp.error
        : exp
          ? { code: exp.status.toUpperCase(), message: `The run's export ended ${exp.status}.` }
          : {
              code: 'INTERRUPTED',
              message: `The run's export ${id} was deleted before it finished.`,
            };
      recordFailure(r.id, error, skipped);
    }
    arm();
  }

  /** The schedule's latest export changed state (expired) or was deleted: find the newest again. */
  function refreshLatest(r: ScheduleRow, now: number): void {
    const s = settingsOf(r);
    let latest = tryGet(r.latest_export_id);
    if (!latest || latest.status !== 'completed') {
      const newest = completedRuns(exportsSvc, r.id).find((e) => e.status === 'completed');
      latest = newest ?? latest;
    }
    const latestId = latest?.id ?? null;
    const freshDue = s.enabled ? freshDueAt(s, latest, now) : null;
    if (latestId === r.latest_export_id && freshDue === r.fresh_due_at) return;
    emitUpdated(repo.update(r.id, { latest_export_id: latestId, fresh_due_at: freshDue }));
  }

  function onExport(exp: Export): void {
    if (closed || !exp.schedule_id || !finalStatuses.includes(exp.status)) return;
    for (const r of repo.byExport(exp.id)) {
      if (r.running_export_id === exp.id) finishRun(exp);
      else if (r.latest_export_id === exp.id && exp.status !== 'completed') {
        refreshLatest(r, clock.now());
        arm();
      }
    }
  }

  function onExportDeleted({ id }: { id: string }): void {
    if (closed) return;
    for (const r of repo.byExport(id)) {
      if (r.running_export_id === id) finishRun(null, id);
      else if (r.latest_export_id === id) {
        refreshLatest(r, clock.now());
        arm();
      }
    }
  }

  const unsubscribe = [
    events.on('export.updated', onExport),
    events.on('export.deleted', onExportDeleted),
  ];

  /** Starts what is due. A schedule that missed several slots (asleep, off) runs once, here. */
  function tick(): void {
    timer = null;
    if (closed) return;
    wall.check(armedFor ?? undefined);
    const now = clock.now();
    for (const r of repo.due(now)) {
      const slotDue = r.next_run_at !== null && r.next_run_at <= now;
      const freshDue = r.fresh_due_at !== null && r.fresh_due_at <= now;
      startRun(r, !slotDue && freshDue ? 'refresh' : 'run', now);
    }
    arm();
  }

  /** One timer for all schedules, re-armed after every change: never one per schedule or slot. */
  function arm(): void {
    timer?.cancel();
    timer = null;
    if (!started || closed) return;
    const at = repo.earliestDue();
    if (at === null) return;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, at - clock.now()));
    armedFor = clock.now() + wait;
    timer = clock.setTimeout(tick, wait);
  }

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
          markPruned(s.retain),
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
    const result = startRun(r, 'run', clock.now(), 'run_now');
    arm();
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
    wall.check();
    resumeClaimedRuns();
    for (const r of repo.running()) {
      const exp = tryGet(r.running_export_id);
      if (!exp) finishRun(null, r.running_export_id!);
      else if (finalStatuses.includes(exp.status)) finishRun(exp);
    }
    const now = clock.now();
    for (const r of repo.list()) {
      if (r.enabled && r.keep_fresh && r.running_export_id === null) refreshLatest(r, now);
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
    previewRuns: (
      spec: { cron?: string | null; every_seconds?: number | null; timezone?: string | null },
      count = 5,
    ) => previewRuns(spec, count, clock.now()),
    start(): void {
      if (started || closed) return;
      started = true;
      reconcile();
      tick();
    },
    /** Stops the timer and waits for pruning in flight; runs in progress carry on as exports. */
    async close(): Promise<void> {
      closed = true;
      timer?.cancel();
      timer = null;
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
