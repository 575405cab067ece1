// How a job ends: failed (its error stored capped, its folder emptied) or completed (destination
// copies saved, files recorded, retention set), unless it was canceled meanwhile.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineContext } from '../context.ts';
import type { JobFile } from '../jobs/job-types.ts';
import { saveToDestination, type DestinationSpec } from '../storage/destination.ts';
import type { ExportStorage } from '../storage/export-storage.ts';
import type { FileStore } from '../storage/files.ts';
import { capDeep, capText } from '../text-cap.ts';
import type { ExportRow, ExportsRepo } from './exports-repo.ts';
import { storedRequest } from './stored-request.ts';

export interface JobOutcomeDeps {
  readonly repo: ExportsRepo;
  readonly files: FileStore;
  /** The export's row changed: tell the API's listeners. */
  readonly changed: (id: string) => void;
  /** An export completed: it now has an expiry for the retention sweeper. */
  readonly completed: () => void;
  /** A store that is not the data folder receives the verified files before the export completes. */
  readonly storage?: ExportStorage;
}

export function createJobOutcomes(ctx: EngineContext, deps: JobOutcomeDeps) {
  const { repo } = deps;

  function fail(
    row: ExportRow,
    code: string,
    message: string,
    details?: Record<string, unknown>,
  ): void {
    // Whatever a job reports (a vendor's text among it) is stored capped, so no row grows huge.
    const error = {
      code,
      message: capText(message),
      ...(details && Object.keys(details).length ? { details: capDeep(details) } : {}),
    };
    // Only the attempt that holds the lease (as `row` shows it) may end the export.
    const ok = repo.transition(
      row.id,
      'failed',
      ctx.clock.now(),
      {
        error_json: JSON.stringify(error),
        lease_owner: null,
        lease_expires_at: null,
        progress_stage: 'failed',
      },
      row.lease_owner,
    );
    // A failed export has no file: whatever its job left in its folder goes (space back at once).
    if (ok) deps.files.removeExport(row.id);
    if (ok) deps.changed(row.id);
  }

  /** Saves destination copies, then completes the export, unless it was canceled meanwhile. */
  async function finish(
    row: ExportRow,
    files: readonly JobFile[],
    signal: AbortSignal,
  ): Promise<void> {
    const dir = deps.files.exportDir(row.id);
    const saved: string[] = [];
    let warning: { code: string; message: string } | null = null;
    const dest: DestinationSpec | null = storedRequest(row).destination ?? null;
    if (dest) {
      repo.patch(row.id, { progress_stage: 'saving a copy' });
      deps.changed(row.id);
      try {
        for (const f of files) {
          // A schedule's file-name template names one file; several files keep their own names.
          const spec = files.length > 1 ? { dir: dest.dir, decompress: dest.decompress } : dest;
          saved.push(
            await saveToDestination(
              join(dir, f.filename),
              spec,
              f.filename,
              f.plainCopy ?? null,
              row.id,
            ),
          );
          if (signal.aborted) break;
        }
      } catch (err) {
        warning = {
          code: 'DESTINATION_FAILED',
          message: `The export is ready, but saving a copy to ${dest.dir} failed: ${(err as Error).message}`,
        };
      }
    }
    // Copies made during verification that were not adopted (canceled, or no longer wanted).
    for (const f of files) if (f.plainCopy) rmSync(f.plainCopy, { force: true });
    if (signal.aborted) {
      // Canceled (or shut down) while copying: the copies made for it go too.
      for (const p of saved) rmSync(p, { force: true });
      return;
    }
    if (deps.storage && deps.storage.kind !== 'local') {
      // No upload over a newer attempt: the export must still be this attempt's (team mode: another
      // process may have taken it over, or it was canceled there).
      const held = repo.refresh(row.id);
      if (held?.status !== 'processing' || held.lease_owner !== row.lease_owner) return;
      repo.patch(row.id, { progress_stage: 'storing the file' });
      deps.changed(row.id);
      try {
        await deps.storage.publish(
          row.id,
          dir,
          files.map((f) => f.filename),
        );
      } catch (err) {
        fail(
          row,
          'INTERNAL',
          `Could not store the file in ${deps.storage.location}: ${(err as Error).message}`,
        );
        return;
      }
      if (signal.aborted) {
        void deps.storage.remove(row.id);
        return;
      }
    }
    const now = ctx.clock.now();
    const rows = files.every((f) => f.rowCount !== null)
      ? files.reduce((n, f) => n + (f.rowCount ?? 0), 0)
      : null;
    // Lazy (store/durability.ts): the slot is free for the next export at once; whoever hears
    // of the completion (a response, an event) hears of it once it is on disk.
    const ok = repo.transition(
      row.id,
      'completed',
      now,
      {
        completed_at: now,
        expires_at: now + ctx.config.retentionSeconds * 1000,
        row_count: rows,
        byte_size: files.reduce((n, f) => n + f.byteSize, 0),
        progress_pct: 100,
        progress_stage: 'completed',
        rows_done: rows ?? row.rows_done,
        saved_paths_json: JSON.stringify(saved),
        error_json: warning ? JSON.stringify(warning) : null,
        lease_owner: null,
        lease_expires_at: null,
      },
      row.lease_owner,
      {
        lazy: true,
        with: () =>
          repo.setFiles(
            row.id,
            files.map((f) => ({
              filename: f.filename,
              byte_size: f.byteSize,
              sha256: f.sha256,
              row_count: f.rowCount,
            })),
          ),
      },
    );
    if (ok) {
      deps.changed(row.id);
      deps.completed();
    }
  }

  return { fail, finish };
}
