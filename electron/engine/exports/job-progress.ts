// A running job's progress, as the queue (runner.ts) stores and tells it: throttled to one write
// per `everyMs`, except that a change of stage is stored at once; nothing once the job was stopped
// or its export is no longer processing.
import type { Clock } from '../clock.ts';
import type { JobProgress } from '../jobs/job-types.ts';
import type { ExportRow, ExportsRepo } from './exports-repo.ts';

export interface ProgressDeps {
  readonly repo: ExportsRepo;
  readonly clock: Clock;
  readonly everyMs: number;
  /** The lease fields each write renews (none in team mode). */
  readonly lease: () => Partial<ExportRow>;
  readonly stopped: () => boolean;
  /** The export's progress changed: tell it (soon). */
  readonly told: (id: string) => void;
}

export function progressWriter(id: string, deps: ProgressDeps): (p: JobProgress) => void {
  const { repo, clock } = deps;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let lastStage: string | undefined;
  return (p) => {
    const now = clock.now();
    const newStage = p.stage !== undefined && p.stage !== lastStage;
    if (!newStage && now - lastWrite < deps.everyMs) return;
    if (deps.stopped() || repo.get(id)?.status !== 'processing') return;
    lastWrite = now;
    if (p.stage !== undefined) lastStage = p.stage;
    const fields: Partial<ExportRow> = { ...deps.lease() };
    if (p.pct !== undefined)
      fields.progress_pct = Math.max(0, Math.min(100, Math.round(p.pct * 10) / 10));
    if (p.stage !== undefined) fields.progress_stage = p.stage;
    if (p.rowsDone !== undefined) fields.rows_done = p.rowsDone;
    if (p.bytesDone !== undefined) fields.bytes_done = p.bytesDone;
    if (p.bytesTotal !== undefined) fields.bytes_total = p.bytesTotal;
    if (p.remoteId !== undefined) fields.remote_id = p.remoteId;
    if (p.remoteStatus !== undefined) fields.remote_status = p.remoteStatus;
    repo.progress(id, fields);
    deps.told(id);
  };
}
