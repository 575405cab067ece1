// The local job kind: a dataset export from its stored request to a verified file in the export's
// folder, on a warm worker thread (worker-pool.ts; the work itself is export-pipeline.ts). The
// queue (runner.ts) reaches it, like provider exports, only through `run(spec, hooks)`.
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { EngineContext } from '../context.ts';
import type { DatasetDescription } from '../datasets/datasets-service.ts';
import { compileQuery } from '../datasets/filter-sql.ts';
import { workerUrl } from '../worker-url.ts';
import {
  JobError,
  type JobFile,
  type JobHooks,
  type JobRunner,
  type JobSpec,
} from '../jobs/job-types.ts';
import { extensionFor, slugify } from '../storage/files.ts';
import type { ExportWorkerInput } from './export-pipeline.ts';
import { keysetSql } from './row-batches.ts';
import { createWorkerPool, runOnWorker, type WorkerPool } from './worker-pool.ts';
import { workerStageWords } from './worker-stage.ts';

// The export worker's heap. Rows die young, so a small young generation keeps the heap flat
// (measured: ~200 MB peak RSS for 2M rows instead of ~330 MB, at the same speed). A ceiling on
// the old generation also makes V8 grow it in smaller steps: without one (V8 sizes it from the
// machine's RAM) the worker held ~30 MB more garbage at the same speed (bench export_peak_memory);
// 1 GB gives the same saving as 256 MB. It must stay far above one row: a single value V8 cannot
// fit even after the worker's last-chance raise aborts the whole process, and 1 GB still holds
// the largest string V8 can make (~512 MB; a 400 MB field exports, measured).
const WORKER_YOUNG_GEN_MB = 24;
const WORKER_OLD_GEN_MB = 1024;

export interface LocalJobDeps {
  readonly datasets: { describe(name: string): DatasetDescription };
  /** How often the queue stores progress; the worker reports twice as often. */
  readonly progressMs: number;
  /** Test seam for DISK_FULL: local exports fail writing past this many bytes. */
  readonly failAfterBytes?: number | undefined;
  /** Test seam: a smaller uncompressed block, to see many blocks on a small dataset. */
  readonly blockBytes?: number | undefined;
  /** Test seam: the worker's old-generation ceiling (default WORKER_OLD_GEN_MB). */
  readonly workerOldGenMb?: number | undefined;
  /** The export worker's entry file; by default export-worker.ts/.js beside this module. */
  readonly workerFile?: URL | string | undefined;
}

export interface LocalJobRunner extends JobRunner {
  /** Ends the idle workers (running jobs are stopped through their signal first). */
  close(): Promise<void>;
}

export function createLocalJobRunner(ctx: EngineContext, deps: LocalJobDeps): LocalJobRunner {
  const oldGenMb = deps.workerOldGenMb ?? WORKER_OLD_GEN_MB;
  let pool: WorkerPool | null = null;

  /** The worker's input: the dataset's query compiled now, so a changed dataset fails here. */
  function workerInput(spec: JobSpec, finalPath: string): ExportWorkerInput {
    try {
      const ds = deps.datasets.describe(spec.dataset ?? '');
      const q = compileQuery(ds, { columns: spec.columns ?? null, filter: spec.filter ?? null });
      return {
        datasetFile: ds.file,
        selectSql: q.selectSql,
        keysetSql: keysetSql(q),
        countSql: q.countSql,
        params: q.params,
        columns: q.columns.map((c) => ({ name: c.name, type: c.type })),
        format: spec.format,
        compression: spec.compression,
        level: spec.compressionLevel,
        finalPath,
        maxRows: ctx.config.maxRows,
        // The worker reports twice as often as we store, so a store write is never skipped.
        progressMs: Math.floor(deps.progressMs / 2),
        ...(deps.failAfterBytes !== undefined ? { failAfterBytes: deps.failAfterBytes } : {}),
        ...(deps.blockBytes !== undefined ? { blockBytes: deps.blockBytes } : {}),
      };
    } catch (err) {
      // The dataset was deleted or replaced after the export was accepted.
      throw new JobError(
        'INTERNAL',
        `The dataset "${spec.dataset}" can no longer be exported as requested: ${(err as Error).message}`,
      );
    }
  }

  return {
    // The worker counts the matching rows first, and tells its stages only past its first 50 ms.
    firstStage: workerStageWords.counting,
    // The worker makes the export's folder, on its own thread (export-pipeline.ts).
    makesExportDir: true,
    async run(spec: JobSpec, hooks: JobHooks): Promise<readonly JobFile[]> {
      const filename = slugify(spec.name) + extensionFor(spec.format, spec.compression);
      const input = workerInput(spec, join(hooks.exportDir, filename));
      if (hooks.signal.aborted) throw new JobError('CANCELED', 'The export was stopped.');
      pool ??= createWorkerPool(
        deps.workerFile ?? workerUrl('export-worker', import.meta.url),
        { maxYoungGenerationSizeMb: WORKER_YOUNG_GEN_MB, maxOldGenerationSizeMb: oldGenMb },
        ctx.config.concurrency,
      );
      // A stop (cancel, shutdown) ends the worker at once; its partial file goes with it.
      const holder: { worker?: Worker } = {};
      const stop = () => void holder.worker?.terminate();
      hooks.signal.addEventListener('abort', stop, { once: true });
      try {
        const m = await runOnWorker(pool, input, holder, oldGenMb, (w) =>
          hooks.progress({
            pct: w.total > 0 ? (w.rows / w.total) * 99 : 0,
            stage: workerStageWords[w.stage],
            rowsDone: w.rows,
            bytesDone: w.bytes,
          }),
        );
        // Every export's line is one more write per export for a script making thousands of
        // small ones: an export under a second logs it at debug only.
        const timing = { id: spec.exportId, rows: m.rows, ...m.phases };
        if (m.phases.totalMs >= 1000) ctx.logger.info('export timing', timing);
        else ctx.logger.debug('export timing', timing);
        return [{ filename, byteSize: m.bytes, sha256: m.sha256, rowCount: m.rows }];
      } finally {
        hooks.signal.removeEventListener('abort', stop);
      }
    },
    async close() {
      await pool?.close();
    },
  };
}
