// How a schedule run starts: its slot claimed and its number taken in one transaction, then its
// export created under an idempotency key, so a crash between the two never makes two exports.
import type { Export } from '../../../shared/schemas/exports.ts';
import { crashPoint, pausePoint } from '../safety/fault-injection.ts';
import { immediate } from '../store/db.ts';
import { finalStatuses } from './exports-port.ts';
import type { RunEnd } from './run-end.ts';
import type { RunTrigger } from './runs-repo.ts';
import { runRequest, settingsOf } from './schedule-view.ts';
import type { ScheduleRow } from './schedules-repo.ts';
import { MAX_WAIT_MS, type RunError, type ServiceCore } from './service-core.ts';

export type RunKind = 'run' | 'refresh';

const runErrorOf = (err: unknown): RunError => {
  const e = err as { code?: string; message?: string };
  return { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) };
};

export function createRunStart(core: ServiceCore, end: RunEnd) {
  const { repo, runs, exportsSvc, tryGet, toApi, pastSlots } = core;
  const { db, clock, events, logger } = core.ctx;

  /** What started a run, for its history. */
  function triggerOf(r: ScheduleRow, kind: RunKind, now: number): RunTrigger {
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
  function createRunExport(
    r: ScheduleRow,
    n: number,
    startedAt: number,
    refresh: boolean,
    sinceJson: string | null,
  ) {
    const s = settingsOf(r);
    return exportsSvc.create(runRequest(r.name, s, n, startedAt, sinceJson), {
      scheduleId: r.id,
      recreatedFrom: refresh ? r.latest_export_id : null,
      idempotencyKey: `schedule-run:${r.id}:${n}`,
    }).export;
  }

  function attachRun(id: string, n: number, exp: Export, kind: RunKind): void {
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
    if (settled && finalStatuses.includes(settled.status)) end.finishRun(settled);
  }

  /**
   * Starts one run (or keep-fresh re-creation) of a schedule that has none in progress. The slot
   * is claimed and the run numbered in one transaction first; a crash after that finishes this
   * same run on restart (resumeClaimedRuns), so one slot never makes two exports.
   */
  function startRun(
    r: ScheduleRow,
    kind: RunKind,
    now: number,
    trigger: RunTrigger = triggerOf(r, kind, now),
  ): { export: Export } | { error: unknown } | { taken: true } {
    const s = settingsOf(r);
    const n = r.run_count + 1;
    const consumed: Partial<ScheduleRow> = {
      ...pastSlots(r, s, now),
      last_run_at: now,
      run_count: n,
      updated_at: now,
    };
    // An incremental run starts above the mark the last completed run reached, kept with the run.
    const since = r.incremental_column ? r.high_water_json : null;
    // Under the write lock, the schedule is read again: when engines share a store, each one's
    // timer sees the slot due, and only the first to claim it runs it.
    pausePoint('schedule:before-claim');
    const claimed = immediate(db, () => {
      if (repo.get(r.id)?.run_count !== r.run_count) return false;
      runs.claim(r.id, n, trigger, now, since);
      repo.update(r.id, consumed);
      return true;
    });
    if (!claimed) return { taken: true };
    let exp: Export;
    try {
      exp = createRunExport(r, n, now, kind === 'refresh', since);
    } catch (err) {
      const error = runErrorOf(err);
      runs.update(r.id, n, { status: 'failed', ended_at: now, error_json: JSON.stringify(error) });
      end.recordFailure(r.id, error, {});
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
      const kind: RunKind = run.trigger === 'keep_fresh' ? 'refresh' : 'run';
      try {
        attachRun(
          r.id,
          run.number,
          createRunExport(r, run.number, run.started_at, kind === 'refresh', run.since_json),
          kind,
        );
      } catch (err) {
        const error = runErrorOf(err);
        runs.update(r.id, run.number, {
          status: 'failed',
          ended_at: clock.now(),
          error_json: JSON.stringify(error),
        });
        end.recordFailure(r.id, error, {});
      }
    }
  }

  return { startRun, resumeClaimedRuns };
}

export type RunStart = ReturnType<typeof createRunStart>;
