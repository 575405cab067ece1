// What the job queue (runner.ts) is given: the store, the files, the two job kinds, what to do as
// a job ends, and in team mode the queue every engine process shares.
import type { FileStore } from '../storage/files.ts';
import type { JobFile, JobRunner } from '../jobs/job-types.ts';
import type { ExportRow, ExportsRepo } from './exports-repo.ts';
import type { WorkQueue } from './work-queue.ts';

export interface RunnerDeps {
  readonly repo: ExportsRepo;
  readonly files: FileStore;
  /** Runs dataset exports (local-job.ts). */
  readonly local: JobRunner;
  /** Runs provider exports; without it they fail with PROVIDER_ERROR. */
  readonly remote?: JobRunner | undefined;
  /** Called with the verified files; saves destination copies, completes the export. */
  finish(row: ExportRow, files: readonly JobFile[], signal: AbortSignal): Promise<void>;
  fail(row: ExportRow, code: string, message: string, details?: Record<string, unknown>): void;
  /** An export row changed (status, remote id, timeline): emit it. */
  changed(id: string): void;
  /** An export's progress changed: emit it soon (changes close together go out as one). */
  progressed?(id: string): void;
  /** Least time between two progress writes of a job (store and bus); 250 ms by default. */
  readonly progressMs?: number;
  /**
   * Team mode: exports are not polled from the table but delivered by this queue shared by every
   * engine process (deliver() below); a job whose process died comes back through it. The
   * runner closes it.
   */
  readonly queue?: WorkQueue | undefined;
  /** Team mode: how often running exports' rows are read for a cancel or a takeover (1 s). */
  readonly watchMs?: number;
}
