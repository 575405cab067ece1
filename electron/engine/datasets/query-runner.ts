// Runs dataset questions (distinct values, filter counts) on worker threads, at most MAX_RUNNING
// at once; the rest wait their turn, so a burst of keystrokes cannot start a crowd. A worker that
// answered waits (unref'd: it never keeps the process alive) for the next question, so a typed
// prefix does not pay a thread start each time.
import { Worker } from 'node:worker_threads';
import { ApiError } from '../../../shared/errors.ts';
import type { ColumnValues, DatasetCount } from '../../../shared/schemas/datasets.ts';
import type { CountPlan, ValuesPlan } from './dataset-queries.ts';
import { workerUrl } from '../worker-url.ts';

export type QueryJob =
  | { readonly kind: 'values'; readonly plan: ValuesPlan }
  | { readonly kind: 'count'; readonly plan: CountPlan };

export type QueryMessage =
  | { readonly ok: true; readonly result: ColumnValues | DatasetCount }
  | { readonly ok: false; readonly message: string };

const MAX_RUNNING = 2;

export interface QueryRunner {
  values(plan: ValuesPlan): Promise<ColumnValues>;
  count(plan: CountPlan): Promise<DatasetCount>;
  /** Stops the idle workers; later questions start new ones. */
  close(): Promise<void>;
}

export function createQueryRunner(): QueryRunner {
  let running = 0;
  const waiting: (() => void)[] = [];
  const idle: Worker[] = [];
  let closed = false;

  const fresh = () => {
    const w = new Worker(workerUrl('query-worker', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
    });
    // An idle worker's failure only removes it from the pool.
    w.on('error', () => undefined);
    w.once('exit', () => {
      const i = idle.indexOf(w);
      if (i >= 0) idle.splice(i, 1);
    });
    return w;
  };

  const ask = (worker: Worker, job: QueryJob) =>
    new Promise<unknown>((resolve, reject) => {
      const done = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (m: QueryMessage) => {
        done();
        if (closed) void worker.terminate();
        else {
          worker.unref();
          idle.push(worker);
        }
        if (m.ok) resolve(m.result);
        else reject(new ApiError('INTERNAL', `the dataset could not be read: ${m.message}`));
      };
      const onError = (err: Error) => {
        done();
        void worker.terminate();
        reject(new ApiError('INTERNAL', `the dataset could not be read: ${err.message}`));
      };
      const onExit = () => {
        done();
        reject(new ApiError('INTERNAL', 'the dataset query stopped unexpectedly'));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.ref();
      worker.postMessage(job);
    });

  async function run(job: QueryJob): Promise<unknown> {
    if (running >= MAX_RUNNING) await new Promise<void>((go) => waiting.push(go));
    running++;
    try {
      return await ask(idle.pop() ?? fresh(), job);
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  return {
    values: (plan) => run({ kind: 'values', plan }) as Promise<ColumnValues>,
    count: (plan) => run({ kind: 'count', plan }) as Promise<DatasetCount>,
    async close() {
      closed = true;
      await Promise.all(idle.splice(0).map((w) => w.terminate()));
    },
  };
}
