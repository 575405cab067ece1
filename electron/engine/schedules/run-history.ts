// A schedule's run history: how each run ended, its stable file, and runs pruned by retain.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Export } from '../../../shared/schemas/exports.ts';
import type { EnginePaths } from '../context.ts';
import type { Logger } from '../logger.ts';
import { diffInWorker } from './changes-runner.ts';
import { runView } from './run-view.ts';
import type { ExportsPort } from './exports-port.ts';
import type { RunRow, RunsRepo } from './runs-repo.ts';
import { replaceStableFile, stablePathOf } from './stable-file.ts';

/** Where a run's changes file is kept (outside the user's folder, pruned with the run). */
export const changesFileOf = (paths: EnginePaths, scheduleId: string, n: number): string =>
  join(paths.dataDir, 'schedule-changes', scheduleId, `${n}.csv`);

/** A run's file to compare: its copy in the folder if still there, else the stored export file. */
function runFile(exportsSvc: ExportsPort, run: RunRow): string | null {
  if (run.saved_path && existsSync(run.saved_path)) return run.saved_path;
  if (!run.export_id) return null;
  try {
    const { path } = exportsSvc.resolveExportFile(run.export_id);
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

export function createRunHistory(
  runs: RunsRepo,
  logger: Logger,
  paths: EnginePaths,
  exportsSvc: ExportsPort,
) {
  /**
   * Compares a completed run's file with the previous completed run's (copies in the folder, or
   * the stored export files when there is no folder). The counts go in the run, the rows in its
   * changes file; when the previous file is gone (retain, expiry) the run says so instead.
   * True when the run changed.
   */
  async function recordChanges(
    scheduleId: string,
    n: number,
    key: string | null,
  ): Promise<boolean> {
    const prev = runs.previous(scheduleId, n, 'completed');
    const current = runs.get(scheduleId, n);
    if (!prev || !current) return false;
    const file = `/v1/schedules/${scheduleId}/runs/${n}/changes`;
    const next = runFile(exportsSvc, current);
    const before = prev.file_removed ? null : runFile(exportsSvc, prev);
    if (!next || !before) {
      const reason = !next
        ? `run #${n}'s own file is gone`
        : prev.file_removed
          ? `run #${prev.number}'s file was removed (${prev.file_removed.replace(/^file removed /, '')})`
          : `run #${prev.number}'s file is gone (it expired or was deleted)`;
      const changes = { added: null, removed: null, changed: null, key: key ?? '', file: null };
      runs.update(scheduleId, n, {
        changes_json: JSON.stringify({ ...changes, since: prev.number, reason }),
      });
      return true;
    }
    try {
      const changes = await diffInWorker({
        previous: before,
        next,
        out: changesFileOf(paths, scheduleId, n),
        tmpDir: paths.tmpDir,
        key,
      });
      runs.update(scheduleId, n, {
        changes_json: JSON.stringify({ ...changes, file, since: prev.number, reason: null }),
      });
      return true;
    } catch (err) {
      logger.warn('schedule: the changes since the previous run could not be computed', {
        schedule_id: scheduleId,
        run: n,
        error: err as Error,
      });
      return false;
    }
  }

  /** A completed run with a copy in a folder: its copy replaces the schedule's stable file. */
  /** True when the run's history changed (the file replaced, or the reason it was not). */
  async function refreshStableFile(scheduleId: string, n: number, exp: Export): Promise<boolean> {
    const saved = exp.destination?.saved_paths?.[0];
    if (!saved) return false;
    const stable = stablePathOf(saved, n);
    if (!stable) return false;
    // Runs never overlap, but their copies may finish out of order: an older run never wins.
    if (runs.page(scheduleId, 50).some((x) => x.number > n && x.stable_path !== null)) return false;
    try {
      await replaceStableFile(saved, stable, scheduleId);
      runs.update(scheduleId, n, { stable_path: stable });
      return true;
    } catch (err) {
      logger.warn('schedule: the stable file could not be replaced', {
        schedule_id: scheduleId,
        error: err as Error,
      });
      runs.update(scheduleId, n, {
        error_json: JSON.stringify({
          code: 'DESTINATION_FAILED',
          message: `The file ${stable} could not be replaced: ${(err as Error).message}`,
        }),
      });
      return true;
    }
  }

  function recordRunEnd(exp: Export | null, id: string, now: number): number | null {
    const run = runs.byExport(id)[0];
    if (!run) return null;
    const files = exp?.files ?? [];
    runs.update(run.schedule_id, run.number, {
      status: exp?.status ?? 'deleted',
      ended_at: now,
      rows: exp?.row_count ?? null,
      bytes: files.length ? files.reduce((a, f) => a + f.byte_size, 0) : null,
      saved_path: exp?.destination?.saved_paths?.[0] ?? null,
      error_json: exp?.error
        ? JSON.stringify({ code: exp.error.code, message: exp.error.message })
        : null,
    });
    return run.number;
  }

  /** Pruned runs stay in the history, saying why their files are gone. */
  const markPruned = (retain: number) => (exportId: string) => {
    for (const run of runs.byExport(exportId)) {
      runs.update(run.schedule_id, run.number, { file_removed: `file removed (retain ${retain})` });
      rmSync(changesFileOf(paths, run.schedule_id, run.number), { force: true });
    }
  };

  /** Newest first; the cursor is the number of the last run of the page before. */
  function page(id: string, limit: number, cursor?: string) {
    const rows = runs.page(id, limit + 1, cursor ? Number(cursor) : undefined);
    return {
      items: rows.slice(0, limit).map(runView),
      nextCursor: rows.length > limit ? String(rows[limit - 1]!.number) : null,
    };
  }

  return { refreshStableFile, recordChanges, recordRunEnd, markPruned, page };
}
