// The job queue: a concurrency limit, leases, progress to store and bus, crash recovery, cancel.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExportCreate } from '../../../shared/schemas/exports.ts';
import type { EngineContext } from '../context.ts';
import { compileQuery } from '../datasets/filter-sql.ts';
import type { DatasetDescription } from '../datasets/datasets-service.ts';
import { workerUrl } from '../datasets/worker-url.ts';
import type { FileStore } from '../storage/files.ts';
import { extensionFor, slugify } from '../storage/files.ts';
import type { ExportsRepo, ExportRow } from './exports-repo.ts';
import type { ExportWorkerInput, ExportWorkerMessage } from './export-worker.ts';
import { JobError, type JobFile, type JobProgress, type RemoteJobRunner } from './job-types.ts';

export const MAX_ATTEMPTS = 3;
const LEASE_MS = 60_000;

export interface RunnerDeps {
  readonly repo: ExportsRepo;
  readonly files: FileStore;
  readonly datasets: { describe(name: string): DatasetDescription };
  readonly remote?: RemoteJobRunner | undefined;
  /** Called with the verified files; saves destination copies, completes the export. */
  finish(row: ExportRow, files: readonly JobFile[]): Promise<void>;
  fail(row: ExportRow, code: string, message: string, details?: Record<string, unknown>): void;
  /** An export row changed (progress or status): emit it. */
  changed(id: string): void;
  readonly progressMs?: number;
  /** Test seam for DISK_FULL: local exports fail writing past this many bytes. */
  readonly failAfterBytes?: number;
}

interface Running {
  readonly id: string;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  worker?: Worker;
}

export function createRunner(ctx: EngineContext, deps: RunnerDeps) {
  const { clock } = ctx;
  const { repo } = deps;
  const owner = randomBytes(8).toString('hex');
  const running = new Map<string, Running>();
  const progressMs = deps.progressMs ?? 250;
  let accepting = false;

  function lease(): Partial<ExportRow> {
    return { lease_owner: owner, lease_expires_at: clock.now() + LEASE_MS };
  }

  /** Start-up: whatever was processing belonged to a process that is gone. */
  function recover(): void {
    for (const row of repo.byStatus('processing')) {
      if (row.lease_owner === owner) continue;
      if (row.attempts >= MAX_ATTEMPTS) {
        deps.fail(
          row,
          'INTERRUPTED',
          `The export was interrupted ${row.attempts} times (the app stopped while it ran) and was given up.`,
        );
      } else {
        repo.transition(row.id, 'pending', clock.now(), {
          progress_stage: 'waiting to resume',
          lease_owner: null,
          lease_expires_at: null,
        });
        deps.changed(row.id);
      }
    }
    const removed = deps.files.removePartFiles();
    if (removed > 0) ctx.logger.info('removed partial files left by a crash', { count: removed });
  }

  function kick(): void {
    if (!accepting) return;
    while (running.size < ctx.config.concurrency) {
      const next = repo.byStatus('pending').find((r) => !running.has(r.id));
      if (!next) return;
      const now = clock.now();
      const ok = repo.transition(next.id, 'processing', now, {
        started_at: next.started_at ?? now,
        attempts: next.attempts + 1,
        progress_stage: 'starting',
        ...lease(),
      });
      if (!ok) continue;
      deps.changed(next.id);
      start(repo.mustGet(next.id));
    }
  }

  function start(row: ExportRow): void {
    const abort = new AbortController();
    const entry: Running = { id: row.id, abort, done: Promise.resolve() };
    let lastWrite = 0;
    const progress = (p: JobProgress, force = false) => {
      const now = clock.now();
      if (!force && now - lastWrite < progressMs) return;
      lastWrite = now;
      const fields: Partial<ExportRow> = { ...lease() };
      if (p.pct !== undefined)
        fields.progress_pct = Math.max(0, Math.min(100, Math.round(p.pct * 10) / 10));
      if (p.stage !== undefined) fields.progress_stage = p.stage;
      if (p.rowsDone !== undefined) fields.rows_done = p.rowsDone;
      if (p.bytesDone !== undefined) fields.bytes_done = p.bytesDone;
      if (p.bytesTotal !== undefined) fields.bytes_total = p.bytesTotal;
      if (p.remoteId !== undefined) fields.remote_id = p.remoteId;
      if (p.remoteStatus !== undefined) fields.remote_status = p.remoteStatus;
      if (repo.get(row.id)?.status !== 'processing') return;
      repo.patch(row.id, fields);
      deps.changed(row.id);
    };
    const job =
      row.source_type === 'dataset'
        ? runLocal(row, entry, progress)
        : runRemote(row, abort.signal, progress);
    (entry as { done: Promise<void> }).done = job
      .then(async (files) => {
        if (abort.signal.aborted) return;
        await deps.finish(repo.mustGet(row.id), files);
      })
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        const current = repo.get(row.id);
        if (!current) return;
        if (err instanceof JobError) deps.fail(current, err.code, err.message, err.details);
        else {
          ctx.logger.error('export failed unexpectedly', {
            id: row.id,
            error: (err as Error).stack ?? String(err),
          });
          deps.fail(
            current,
            'INTERNAL',
            `The export failed unexpectedly: ${(err as Error).message}`,
          );
        }
      })
      .finally(() => {
        running.delete(row.id);
        kick();
      });
    running.set(row.id, entry);
  }

  function runLocal(
    row: ExportRow,
    entry: Running,
    progress: (p: JobProgress, force?: boolean) => void,
  ): Promise<JobFile[]> {
    const req = JSON.parse(row.request_json) as ExportCreate;
    const ds = deps.datasets.describe(row.dataset ?? '');
    const q = compileQuery(ds, { columns: req.columns ?? null, filter: req.filter ?? null });
    const dir = deps.files.exportDir(row.id);
    mkdirSync(dir, { recursive: true });
    const filename = slugify(row.name) + extensionFor(row.format, row.compression);
    const input: ExportWorkerInput = {
      datasetFile: ds.file,
      selectSql: q.selectSql,
      countSql: q.countSql,
      params: q.params,
      columns: q.columns.map((c) => ({ name: c.name, type: c.type })),
      format: row.format as 'csv' | 'jsonl',
      compression: row.compression as 'gzip' | 'none',
      level: row.compression_level,
      finalPath: join(dir, filename),
      maxRows: ctx.config.maxRows,
      progressMs,
      ...(deps.failAfterBytes !== undefined ? { failAfterBytes: deps.failAfterBytes } : {}),
    };
    return new Promise<JobFile[]>((resolve, reject) => {
      const worker = new Worker(workerUrl('export-worker', import.meta.url), { workerData: input });
      entry.worker = worker;
      let settled = false;
      worker.on('message', (m: ExportWorkerMessage) => {
        if (m.type === 'progress') {
          const pct = m.total > 0 ? (m.rows / m.total) * 99 : 0;
          progress(
            { pct, stage: m.stage, rowsDone: m.rows, bytesDone: m.bytes },
            m.stage !== 'writing rows',
          );
        } else if (m.type === 'done') {
          settled = true;
          resolve([{ filename, byteSize: m.bytes, sha256: m.sha256, rowCount: m.rows }]);
        } else {
          settled = true;
          reject(new JobError(m.code as JobError['code'], m.message));
        }
      });
      worker.on('error', (err) => {
        settled = true;
        reject(new JobError('INTERNAL', err.message));
      });
      worker.on('exit', () => {
        if (!settled)
          reject(new JobError('INTERRUPTED', 'The export worker stopped before finishing.'));
        rmSync(input.finalPath + '.part', { force: true });
      });
    });
  }

  async function runRemote(
    row: ExportRow,
    signal: AbortSignal,
    progress: (p: JobProgress, force?: boolean) => void,
  ): Promise<readonly JobFile[]> {
    if (!deps.remote)
      throw new JobError('PROVIDER_ERROR', 'Provider exports are not available in this build.');
    const dir = deps.files.exportDir(row.id);
    mkdirSync(dir, { recursive: true });
    return deps.remote.run(
      {
        exportId: row.id,
        name: row.name,
        format: row.format as 'csv' | 'jsonl',
        compression: row.compression as 'gzip' | 'none',
        compressionLevel: row.compression_level,
        providerId: row.provider_id,
        params: row.params_json ? (JSON.parse(row.params_json) as Record<string, unknown>) : null,
        remoteId: row.remote_id,
        attempt: row.attempts,
      },
      {
        signal,
        exportDir: dir,
        progress: (p) => progress(p),
        recordRemote: (remoteId, remoteStatus) => {
          repo.patch(row.id, { remote_id: remoteId, remote_status: remoteStatus });
          deps.changed(row.id);
        },
      },
    );
  }

  /** Stops a running job at once (its .part is removed); false when it was not running here. */
  async function stop(id: string): Promise<boolean> {
    const entry = running.get(id);
    if (!entry) return false;
    entry.abort.abort();
    await entry.worker?.terminate();
    await entry.done;
    return true;
  }

  return {
    start() {
      recover();
      accepting = true;
      kick();
    },
    kick,
    stop,
    isRunning: (id: string) => running.has(id),
    runningCount: () => running.size,
    /** Shutdown: running jobs stop now and go back to pending, so the next start resumes them. */
    async close() {
      accepting = false;
      const ids = [...running.keys()];
      await Promise.all(ids.map((id) => stop(id)));
      for (const id of ids) {
        // A clean stop is not a failed attempt.
        const attempts = Math.max(0, (repo.get(id)?.attempts ?? 1) - 1);
        repo.transition(id, 'pending', clock.now(), {
          progress_stage: 'waiting to resume',
          lease_owner: null,
          lease_expires_at: null,
          attempts,
        });
      }
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
