// Worker thread entry for one local export; the work itself is in export-pipeline.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { runExport, type ExportWorkerInput, type ExportWorkerMessage } from './export-pipeline.ts';

export type { ExportWorkerInput, ExportWorkerMessage };

if (parentPort) {
  const port = parentPort;
  const result = await runExport(workerData as ExportWorkerInput, (m) => port.postMessage(m));
  port.postMessage(result);
}
