// Runs an import (or the demo) in a worker thread and reports its progress and outcome.
import { removeQuietly } from '../safety/remove-quietly.ts';
import { Worker } from 'node:worker_threads';
import { ImportCanceled, ImportError, type ImportErrorCode } from './import-error.ts';
import type { ImportFileJob } from './import-file.ts';
import type { SinkResult } from './table-sink.ts';
import { workerUrl } from '../worker-url.ts';

export type ImportWorkerJob = (
  | ({ readonly kind: 'file' } & ImportFileJob)
  | { readonly kind: 'demo'; readonly rows: number; readonly out: string }
) & { readonly progressIntervalMs: number };

export type ImportWorkerMessage =
  | {
      readonly t: 'progress';
      /** 0..1 of the work read so far (bytes of the file as stored, or demo rows). */
      readonly fraction: number;
      readonly bytesDone: number;
      readonly bytesTotal: number | null;
      readonly rows: number;
    }
  | { readonly t: 'done'; readonly result: SinkResult }
  | { readonly t: 'error'; readonly code: ImportErrorCode; readonly message: string };

export type ImportProgressMessage = Extract<ImportWorkerMessage, { t: 'progress' }>;

export interface RunningImport {
  /** The built file's metadata; rejects with ImportError, or ImportCanceled after cancel(). */
  readonly result: Promise<SinkResult>;
  /** Stops the worker and removes its partial file. */
  cancel(): Promise<void>;
}

export function runImport(
  job: ImportWorkerJob,
  onProgress: (p: ImportProgressMessage) => void,
): RunningImport {
  const worker = new Worker(workerUrl('import-worker', import.meta.url), {
    workerData: job,
    // Its garbage is short-lived; without limits V8 lets the heap grow with the file (a
    // 2,000,000-row import peaked at 440 MB RSS in all, with these at 260 MB, as fast). A young
    // generation of 64 MB halved the GC threads' work (about 1.2 CPU-s less) but lifted the
    // peak to 430-460 MB, so it stays at 16.
    resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 },
  });
  let canceled = false;
  let outcome: SinkResult | ImportError | null = null;
  const result = new Promise<SinkResult>((resolve, reject) => {
    worker.on('message', (m: ImportWorkerMessage) => {
      if (canceled) return;
      if (m.t === 'progress') onProgress(m);
      else if (m.t === 'done') outcome = m.result;
      else outcome = new ImportError(m.message, m.code);
    });
    worker.on('error', (err) => {
      outcome ??= new ImportError(`the import failed: ${err.message}`, 'INTERNAL');
    });
    worker.on('exit', () => {
      if (canceled) return reject(new ImportCanceled());
      const o = outcome ?? new ImportError('the import stopped unexpectedly', 'INTERNAL');
      if (o instanceof Error) {
        removeQuietly(job.out, true);
        reject(o);
      } else resolve(o);
    });
  });
  // The caller may only ever look at the outcome through cancel().
  result.catch(() => {});
  return {
    result,
    async cancel() {
      canceled = true;
      await worker.terminate();
      removeQuietly(job.out, true);
    },
  };
}
