// How a schedule run ends: its history row, the schedule's latest export, the stable file and
// retention on success; the failure, its backoff and its events otherwise.
import type { Export } from '../../../shared/schemas/exports.ts';
import { isoOrNull } from '../clock.ts';
import { immediate } from '../store/db.ts';
import { runSummary } from '../../../shared/run-summary.ts';
import { crashPoint } from '../safety/fault-injection.ts';
import { highestInWorker } from './changes-runner.ts';
import { pruneRuns } from './retain.ts';
import { runView } from './run-view.ts';
import { freshDueAt, settingsOf } from './schedule-view.ts';
import type { ScheduleRow } from './schedules-repo.ts';
import type { RunError, ServiceCore } from './service-core.ts';
import { backoffMs } from './timing.ts';

export function createRunEnd(core: ServiceCore) {
  const { repo, runs, history, exportsSvc, toApi, emitUpdated, track, pastSlots } = core;
  const { db, clock, events, logger } = core.ctx;

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

  /** Incremental schedules whose completed run's high-water mark is being read. */
  const marking = new Set<string>();

  /** The running export of a schedule reached a final status (or vanished: `exp` null). */
  function finishRun(exp: Export | null, goneId?: string): void {
    const id = exp?.id ?? goneId!;
    const r = repo.byExport(id).find((x) => x.running_export_id === id);
    if (!r) return;
    if (exp && exp.status === 'completed' && r.incremental_column) {
      // The mark is read from the run's file first; the run stays "running" meanwhile, so a
      // crash before the mark is stored finishes this same run again on restart.
      if (marking.has(r.id)) return;
      marking.add(r.id);
      track(
        readMark(r, exp).finally(() => {
          marking.delete(r.id);
          core.arm();
        }),
      );
      return;
    }
    if (exp && exp.status === 'completed') completeRun(r, exp, null);
    else failRun(r, exp, id);
    core.arm();
  }

  async function readMark(r: ScheduleRow, exp: Export): Promise<void> {
    let mark: string | null;
    try {
      const { path } = exportsSvc.resolveExportFile(exp.id);
      const high = await highestInWorker({ path, column: r.incremental_column! });
      const since = runs.byExport(exp.id)[0]?.since_json ?? null;
      // A run with no new rows leaves the mark where it was.
      mark = high.value === null ? since : JSON.stringify(high.value);
    } catch (err) {
      if (core.state.closed) return;
      const e = err as Error;
      failRun(r, exp, exp.id, {
        code: 'HIGH_WATER_MARK_FAILED',
        message: `The run completed but its highest ${r.incremental_column} could not be read (${e.message}); the next run exports the same rows again.`,
      });
      return;
    }
    // Closing: the restarted engine finishes this run (its export is still the running one).
    if (core.state.closed) return;
    const cur = repo.get(r.id);
    if (cur?.running_export_id !== exp.id) return;
    crashPoint('schedule:mark-pending');
    completeRun(cur, exp, mark);
  }

  /**
   * One transaction: the run's history row, the schedule's latest export and, for an incremental
   * schedule, its high-water mark. Then the stable file, the changes and retention, in the background.
   */
  function completeRun(r: ScheduleRow, exp: Export, mark: string | null): void {
    const now = clock.now();
    const s = settingsOf(r);
    // A slot that came while this run was in progress is skipped, not queued behind it: the run
    // that just ended is that slot's fresh data, and queued slots would run back to back forever
    // when runs are slower than the interval.
    const skipped = pastSlots(r, s, now);
    const warning = exp.error ? { last_error_json: JSON.stringify({ ...exp.error, at: now }) } : {};
    const { n, updated } = immediate(db, () => {
      const n = history.recordRunEnd(exp, exp.id, now);
      if (n !== null && r.incremental_column) runs.update(r.id, n, { high_water_json: mark });
      const updated = repo.update(r.id, {
        ...skipped,
        ...warning,
        ...(r.incremental_column ? { high_water_json: mark } : {}),
        running_export_id: null,
        running_kind: null,
        latest_export_id: exp.id,
        fresh_due_at: freshDueAt(s, exp, now),
        consecutive_failures: 0,
        retry_at: null,
        updated_at: now,
      });
      return { n, updated };
    });
    emitUpdated(updated);
    if (n !== null) track(afterCompleted(r.id, n, exp, s.retain, r.incremental_column));
  }

  async function afterCompleted(
    id: string,
    n: number,
    exp: Export,
    retain: number | null,
    incremental: string | null,
  ): Promise<void> {
    const replaced = await history.refreshStableFile(id, n, exp);
    // Before pruning: the previous run's copy may be the one retain removes. An incremental
    // run holds other rows than the one before: there is nothing to compare.
    const key = repo.get(id)?.changes_key ?? null;
    const compared = !incremental && (await history.recordChanges(id, n, key));
    if (retain !== null)
      await pruneRuns(exportsSvc, logger, id, retain, [exp.id], history.markPruned(retain));
    if (core.state.closed) return;
    const cur = repo.get(id);
    // The history changed (stable file replaced, changes, older runs pruned): windows re-read.
    if (replaced || compared || retain !== null) emitUpdated(cur);
    const run = runs.get(id, n);
    if (cur && run) {
      const view = runView(run);
      events.emit('schedule.completed', {
        schedule: toApi(cur),
        run: view,
        summary: runSummary(view, incremental),
      });
    }
  }

  function failRun(r: ScheduleRow, exp: Export | null, id: string, why?: RunError): void {
    const now = clock.now();
    const skipped = pastSlots(r, settingsOf(r), now);
    const error: RunError =
      why ??
      (exp?.error
        ? exp.error
        : exp
          ? { code: exp.status.toUpperCase(), message: `The run's export ended ${exp.status}.` }
          : {
              code: 'INTERRUPTED',
              message: `The run's export ${id} was deleted before it finished.`,
            });
    const n = history.recordRunEnd(exp, id, now);
    if (why && n !== null)
      runs.update(r.id, n, { status: 'failed', error_json: JSON.stringify(why) });
    recordFailure(r.id, error, skipped);
  }

  return { recordFailure, finishRun };
}

export type RunEnd = ReturnType<typeof createRunEnd>;
