// Warm export workers: a finished export's worker thread waits for the next export instead of
// exiting, so a burst of small exports does not pay a thread start (about 40 ms) each. An idle
// worker is unref'd (it never keeps the process alive); a terminated one (cancel, shutdown, out of
// memory) simply leaves the pool, and the next export starts a fresh one.
import { rmSync } from 'node:fs';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { ExportWorkerInput, ExportWorkerMessage } from './export-pipeline.ts';
import { JobError } from '../jobs/job-types.ts';

export interface WorkerPool {
  /** An idle worker, or a new one. */
  take(): Worker;
  /** Back to the pool after a job settled normally (beyond maxIdle it is terminated). */
  give(worker: Worker): void;
  /** Terminates the idle workers; later gives terminate theirs. */
  close(): Promise<void>;
  idleCount(): number;
}

export function createWorkerPool(
  file: URL | string,
  resourceLimits: ResourceLimits,
  maxIdle: number,
): WorkerPool {
  const idle: Worker[] = [];
  let closed = false;
  const drop = (w: Worker) => {
    const i = idle.indexOf(w);
    if (i >= 0) idle.splice(i, 1);
  };
  return {
    take() {
      const reused = idle.pop();
      if (reused) {
        reused.ref();
        return reused;
      }
      const w = new Worker(file, { resourceLimits });
      // A job's own listeners report its errors; this one keeps an idle worker's from being fatal.
      w.on('error', () => drop(w));
      w.once('exit', () => drop(w));
      return w;
    },
    give(w) {
      if (closed || idle.length >= maxIdle) {
        void w.terminate();
        return;
      }
      w.unref();
      idle.push(w);
    },
    async close() {
      closed = true;
      await Promise.all(idle.splice(0).map((w) => w.terminate()));
    },
    idleCount: () => idle.length,
  };
}

type Progress = Extract<ExportWorkerMessage, { type: 'progress' }>;
type Done = Extract<ExportWorkerMessage, { type: 'done' }>;

/**
 * Runs one export on a pooled worker. `holder.worker` is the worker while the job runs (a cancel
 * terminates it) and is cleared the moment the job settles, since the worker may then run another.
 */
export function runOnWorker(
  pool: WorkerPool,
  input: ExportWorkerInput,
  holder: { worker?: Worker },
  oldGenMb: number,
  onProgress: (m: Progress) => void,
): Promise<Done> {
  return new Promise<Done>((resolve, reject) => {
    const worker = pool.take();
    holder.worker = worker;
    let settled = false;
    const settle = (reuse: boolean) => {
      settled = true;
      if (holder.worker === worker) delete holder.worker;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reuse) pool.give(worker);
    };
    const onMessage = (m: ExportWorkerMessage) => {
      if (m.type === 'progress') {
        onProgress(m);
      } else if (m.type === 'done') {
        settle(true);
        resolve(m);
      } else {
        settle(true);
        reject(new JobError(m.code as JobError['code'], m.message));
      }
    };
    const onError = (err: NodeJS.ErrnoException) => {
      settle(false);
      // A worker that failed (out of memory) is never reused; its partial file goes.
      void worker.terminate();
      removePart(input.finalPath);
      reject(
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new JobError(
              'INTERNAL',
              `The export needed more than ${oldGenMb} MB of memory and was stopped: a row of the dataset is too large to export.`,
            )
          : new JobError('INTERNAL', err.message),
      );
    };
    const onExit = () => {
      const wasSettled = settled;
      settle(false);
      if (!wasSettled)
        reject(new JobError('INTERRUPTED', 'The export worker stopped before finishing.'));
      // Terminated mid-write (cancel, shutdown): its partial file goes with it.
      removePart(input.finalPath);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(input);
  });
}

/** An event handler must not throw (EMFILE would end the process): a part left here goes at the next start. */
function removePart(finalPath: string): void {
  try {
    rmSync(finalPath + '.part', { force: true });
  } catch {
    // swept at the next start
  }
}
