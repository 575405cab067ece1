// One export's job, handed to its kind (runner.ts starts it): a dataset export to the local job
// kind, a provider export to the remote one, with the queue's hooks.
import { mkdir } from 'node:fs/promises';
import type { EngineContext } from '../context.ts';
import {
  JobError,
  type JobFile,
  type JobHooks,
  type JobProgress,
  type JobRunner,
} from '../jobs/job-types.ts';
import type { ExportRow } from './exports-repo.ts';
import { jobSpec } from './job-spec.ts';
import type { RunnerDeps } from './runner-deps.ts';

/** The job kind that runs an export of this source (none for a provider export without one). */
export const jobKindOf = (deps: RunnerDeps, row: ExportRow): JobRunner | undefined =>
  row.source_type === 'dataset' ? deps.local : deps.remote;

/** Hands the export to its job kind: the stored request as a JobSpec, the queue's hooks. */
export async function runJob(
  ctx: EngineContext,
  deps: RunnerDeps,
  row: ExportRow,
  signal: AbortSignal,
  progress: (p: JobProgress) => void,
): Promise<readonly JobFile[]> {
  const { repo } = deps;
  const kind = jobKindOf(deps, row);
  if (!kind)
    throw new JobError('PROVIDER_ERROR', 'no remote runner: provider exports are unavailable.');
  const dir = deps.files.exportDir(row.id);
  // On the pool: a slow disk holds this job, not every request the engine is answering.
  if (!kind.makesExportDir) await mkdir(dir, { recursive: true });
  const hooks: JobHooks = {
    signal,
    exportDir: dir,
    progress,
    recordRemote: (remoteId, remoteStatus) => {
      repo.patch(row.id, { remote_id: remoteId, remote_status: remoteStatus });
      deps.changed(row.id);
    },
    note: (kind, text) => {
      repo.note(row.id, kind, text, ctx.clock.now());
      deps.changed(row.id);
    },
  };
  return kind.run(jobSpec(row), hooks);
}
