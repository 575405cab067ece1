// Worker entry: builds one dataset file (an imported file or the demo) off the engine's thread.
import { rmSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { writeDemoLeads } from './demo-leads.ts';
import { ImportError } from './import-error.ts';
import { importFile } from './import-file.ts';
import type { ImportWorkerJob, ImportWorkerMessage } from './import-runner.ts';
import { inlineSink, threadSink } from './sink.ts';
import type { SinkResult } from './table-sink.ts';

const job = workerData as ImportWorkerJob;
const post = (m: ImportWorkerMessage) => parentPort!.postMessage(m);

let last = -Infinity;
/** Progress is sent at most every progressIntervalMs (real time: it only paces messages). */
function progress(fraction: number, bytesDone: number, bytesTotal: number | null, rows: number) {
  const now = performance.now();
  if (now - last < job.progressIntervalMs) return;
  last = now;
  post({ t: 'progress', fraction, bytesDone, bytesTotal, rows });
}

async function run(): Promise<SinkResult> {
  if (job.kind === 'file') {
    return importFile(job, (p) =>
      progress(p.bytesDone / Math.max(1, p.bytesTotal), p.bytesDone, p.bytesTotal, p.rows),
    );
  }
  const sink = job.rows >= 50_000 ? threadSink(job.out) : inlineSink(job.out);
  try {
    return await writeDemoLeads(sink, job.rows, (rows) => progress(rows / job.rows, 0, null, rows));
  } catch (err) {
    await sink.abort();
    rmSync(job.out, { force: true });
    throw err;
  }
}

run().then(
  (result) => post({ t: 'done', result }),
  (err: unknown) => post(describeError(err)),
);

function describeError(err: unknown): ImportWorkerMessage {
  if (err instanceof ImportError) return { t: 'error', code: err.code, message: err.message };
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'SQLITE_FULL')
    return { t: 'error', code: 'DISK_FULL', message: 'the disk is full' };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
    return { t: 'error', code: 'INVALID_FILE', message: `cannot read the file (${code})` };
  return { t: 'error', code: 'INTERNAL', message: (err as Error)?.message ?? String(err) };
}
