// Runs a run-files comparison (or a high-water mark scan) in a worker thread with a small heap:
// the work streams through a temporary SQLite database, so the engine's thread stays free.
import { Worker } from 'node:worker_threads';
import { workerUrl } from '../worker-url.ts';
import type { HighestJob, HighestValue } from './high-water.ts';
import type { DiffJob, RunChanges } from './run-changes.ts';

export type ChangesWorkerJob =
  | { readonly kind: 'diff'; readonly diff: DiffJob }
  | { readonly kind: 'mark'; readonly mark: HighestJob };

export type ChangesWorkerMessage =
  | { readonly t: 'done'; readonly result: RunChanges | HighestValue }
  | { readonly t: 'error'; readonly code: string; readonly message: string };

/** The worker file; tests may point at another build of it. */
export interface ChangesWorkerOptions {
  readonly workerFile?: URL;
}

function runWorker(job: ChangesWorkerJob, opts: ChangesWorkerOptions): Promise<unknown> {
  const worker = new Worker(opts.workerFile ?? workerUrl('changes-worker', import.meta.url), {
    workerData: job,
    // Rows stream through; the heap holds one batch and the parser's state, whatever the size.
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
  });
  return new Promise((resolve, reject) => {
    let outcome: ChangesWorkerMessage | null = null;
    worker.on('message', (m: ChangesWorkerMessage) => (outcome = m));
    worker.on('error', (err) => {
      outcome ??= { t: 'error', code: 'INTERNAL', message: err.message };
    });
    worker.on('exit', () => {
      if (outcome?.t === 'done') return resolve(outcome.result);
      const e = new Error(outcome?.message ?? 'the comparison stopped unexpectedly');
      (e as Error & { code?: string }).code = outcome?.code ?? 'INTERNAL';
      reject(e);
    });
  });
}

/** What changed between two runs' files, computed in a worker. */
export const diffInWorker = (diff: DiffJob, opts: ChangesWorkerOptions = {}) =>
  runWorker({ kind: 'diff', diff }, opts) as Promise<RunChanges>;

/** The highest value of a column in a run's file, computed in a worker. */
export const highestInWorker = (mark: HighestJob, opts: ChangesWorkerOptions = {}) =>
  runWorker({ kind: 'mark', mark }, opts) as Promise<HighestValue>;
