// How a schedule run ends: its history row, the schedule's latest export, the stable file and
// retention on success; the failure, its backoff and its events otherwise.
import type { Export } from '../../../shared/schemas/exports.ts';
import { isoOrNull } from '../clock.ts';
import { immediate } from '../store/db.ts';
import { pruneRuns } from './retain.ts';
import { freshDueAt, settingsOf } from './schedule-view.ts';
import type { ScheduleRow } from './schedules-repo.ts';
import type { RunError, ServiceCore } from './service-core.ts';
import { backoffMs } from './timing.ts';

export function createRunEnd(core: ServiceCore) {
  const { repo, history, exportsSvc, toApi, emitUpdated, track, pastSlots } = core;
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

  /** The running export of a schedule reached a final status (or vanished: `exp` null). */
  function finishRun(exp: Export | null, goneId?: string): void {
    const id = exp?.id ?? goneId!;
    const r = repo.byExport(id).find((x) => x.running_export_id === id);
    if (!r) return;
    const now = clock.now();
    const s = settingsOf(r);
    const n = history.recordRunEnd(exp, id, now);
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
          const replaced = n !== null && (await history.refreshStableFile(r.id, n, exp));
          // Before pruning: the previous run's copy may be the one retain removes.
          const compared = n !== null && (await history.recordChanges(r.id, n, exp));
          if (retain !== null)
            await pruneRuns(exportsSvc, logger, r.id, retain, [exp.id], history.markPruned(retain));
          // The history changed (stable file replaced, changes, older runs pruned): windows re-read.
          if ((replaced || compared || retain !== null) && !core.state.closed)
            emitUpdated(repo.get(r.id));
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
    core.arm();
  }

  return { recordFailure, finishRun };
}

export type RunEnd = ReturnType<typeof createRunEnd>;
