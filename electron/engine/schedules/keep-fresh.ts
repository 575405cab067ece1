// Follows the exports schedules made: a running one that ends finishes its run; a latest one that
// expires or is deleted makes the schedule find its newest completed export and re-plan keep-fresh.
import type { Export } from '../../../shared/schemas/exports.ts';
import { finalStatuses } from './exports-port.ts';
import { completedRuns } from './retain.ts';
import type { RunEnd } from './run-end.ts';
import { freshDueAt, settingsOf } from './schedule-view.ts';
import type { ScheduleRow } from './schedules-repo.ts';
import type { ServiceCore } from './service-core.ts';

export function createKeepFresh(core: ServiceCore, end: RunEnd) {
  const { repo, exportsSvc, tryGet, emitUpdated, state } = core;
  const { clock, events } = core.ctx;

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
    if (state.closed || !exp.schedule_id || !finalStatuses.includes(exp.status)) return;
    for (const r of repo.byExport(exp.id)) {
      if (r.running_export_id === exp.id) end.finishRun(exp);
      else if (r.latest_export_id === exp.id && exp.status !== 'completed') {
        refreshLatest(r, clock.now());
        core.arm();
      }
    }
  }

  function onExportDeleted({ id }: { id: string }): void {
    if (state.closed) return;
    for (const r of repo.byExport(id)) {
      if (r.running_export_id === id) end.finishRun(null, id);
      else if (r.latest_export_id === id) {
        refreshLatest(r, clock.now());
        core.arm();
      }
    }
  }

  /** Starts following exports; returns the functions that stop it. */
  function watch(): (() => void)[] {
    return [events.on('export.updated', onExport), events.on('export.deleted', onExportDeleted)];
  }

  return { refreshLatest, watch };
}
