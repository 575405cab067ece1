// Worker thread entry for local exports, one at a time, for as long as the runner keeps the worker
// (worker-pool.ts); the work itself is in export-pipeline.ts.
import { parentPort } from 'node:worker_threads';
import { runExport, type ExportWorkerInput, type ExportWorkerMessage } from './export-pipeline.ts';

export type { ExportWorkerInput, ExportWorkerMessage };

if (parentPort) {
  const port = parentPort;
  port.on('message', (input: ExportWorkerInput) => {
    void runExport(input, (m) => port.postMessage(m)).then((result) => port.postMessage(result));
  });
}
