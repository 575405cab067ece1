// Worker entry: compares two runs' files (or finds a column's highest value) off the engine's
// thread, so a comparison of millions of rows never stalls the HTTP API.
import { parentPort, workerData } from 'node:worker_threads';
import { highestValue } from './high-water.ts';
import { diffRunFiles } from './run-changes.ts';
import type { ChangesWorkerJob, ChangesWorkerMessage } from './changes-runner.ts';

const job = workerData as ChangesWorkerJob;
const post = (m: ChangesWorkerMessage) => parentPort!.postMessage(m);

const work = job.kind === 'diff' ? diffRunFiles(job.diff) : highestValue(job.mark);
work.then(
  (result) => post({ t: 'done', result }),
  (err: unknown) =>
    post({
      t: 'error',
      code: (err as { code?: unknown } | null)?.code === 'ENOSPC' ? 'DISK_FULL' : 'INTERNAL',
      message: (err as Error)?.message ?? String(err),
    }),
);
