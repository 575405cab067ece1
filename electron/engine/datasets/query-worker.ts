// Worker entry: answers read-only questions about dataset files off the engine's thread, one
// message at a time, for as long as the runner keeps it.
import { parentPort } from 'node:worker_threads';
import { readCount, readValues } from './dataset-queries.ts';
import type { QueryJob, QueryMessage } from './query-runner.ts';

parentPort!.on('message', (job: QueryJob) => {
  let message: QueryMessage;
  try {
    message = {
      ok: true,
      result: job.kind === 'values' ? readValues(job.plan) : readCount(job.plan),
    };
  } catch (err) {
    message = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(message);
});
