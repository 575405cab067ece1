// The job queue: a concurrency limit, leases, progress to store and bus, crash recovery, cancel.
// What a job does is its kind's business: local and provider exports alike are a `JobRunner`
// (`run(spec, hooks)` from jobs/), chosen by the export's source.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { ExportCompression, ExportCreate } from '../../../shared/schemas/exports.ts';
import type { TimerHandle } from '../clock.ts';
import { datasetFile, type EngineContext } from '../context.ts';
import { isShared } from '../store/store-db.ts';
import { removePlainParts } from '../storage/plain-parts.ts';
import type { FileStore } from '../storage/files.ts';
import type { ExportsRepo, ExportRow } from './exports-repo.ts';
import {
  JobError,
  type JobFile,
  type JobHooks,
  type JobProgress,
  type JobRunner,
  type JobSpec,
} from '../jobs/job-types.ts';
import { runInJobScope } from './job-scope.ts';
import { storedRequest } from './stored-request.ts';

/** A job interrupted this many times (its process died while it ran) fails with INTERRUPTED. */
export const MAX_ATTEMPTS = 3;
/** A running job's lease; renewed every LEASE_MS / 4 while this process runs it. */
export const LEASE_MS = 60_000;
/**
 * Provider exports run at once, apart from local ones: they mostly wait on a vendor (polling for
 * minutes), so they must not hold the worker slots local exports need. Each provider's own
 * `max_concurrent_exports` still applies inside this.
 */
export const REMOTE_CONCURRENCY = 16;
export interface RunnerDeps {
  readonly repo: ExportsRepo;
  readonly files: FileStore;
  /** Runs dataset exports (local-job.ts). */
  readonly local: JobRunner;
  /** Runs provider exports; without it they fail with PROVIDER_ERROR. */
  readonly remote?: JobRunner | undefined;
  /** Called with the verified files; saves destination copies, completes the export. */
  finish(row: ExportRow, files: readonly JobFile[], signal: AbortSignal): Promise<void>;
  fail(row: ExportRow, code: string, message: string, details?: Record<string, unknown>): void;
  /** An export row changed (progress or status): emit it. */
  changed(id: string): void;
  /** Least time between two progress writes of a job (store and bus); 250 ms by default. */
  readonly progressMs?: number;
}

interface Running {
  readonly id: string;
  readonly local: boolean;
  readonly abort: AbortController;
  done: Promise<void>;
}

export function createRunner(ctx: EngineContext, deps: RunnerDeps) {
  const { clock } = ctx;
  const { repo } = deps;
  const owner = randomBytes(8).toString('hex');
  const shared = isShared(ctx.db);
  const running = new Map<string, Running>();
  const progressMs = deps.progressMs ?? 250;
  let accepting = false;
  let heartbeatTimer: TimerHandle | null = null;

  const lease = (): Partial<ExportRow> => ({
    lease_owner: owner,
    lease_expires_at: clock.now() + LEASE_MS,
  });

  /** A job whose process is gone: back to the queue, or failed once it has had its chances. */
  function reclaim(row: ExportRow): void {
    if (row.attempts >= MAX_ATTEMPTS) {
      // A vendor file's hidden decompressed part the crash left in the destination goes too.
      const dest = plainDestination(storedRequest(row).destination);
      if (dest) removePlainParts(dest, row.id);
      deps.fail(
        row,
        'INTERRUPTED',
        `The export was interrupted ${row.attempts} times (the app stopped while it ran) and was given up.`,
      );
      return;
    }
    const ok = repo.requeue(row.id, clock.now(), {
      progress_stage: 'waiting to resume',
      lease_owner: null,
      lease_expires_at: null,
    });
    if (ok) deps.changed(row.id);
  }

  /** Start-up: whatever is processing belonged to a process that is gone (leases are per run). */
  function recover(): void {
    for (const row of repo.byStatus('processing')) if (row.lease_owner !== owner) reclaim(row);
    const removed = deps.files.removePartFiles();
    if (removed > 0) ctx.logger.info('removed partial files left by a crash', { count: removed });
  }

  /**
   * Renews our leases, and reclaims what nobody runs: a job of ours that is no longer running
   * here, or another process's job whose lease ran out. No export stays processing forever.
   */
  function heartbeat(): void {
    heartbeatTimer = null;
    if (!accepting) return;
    const now = clock.now();
    repo.renewLeases([...running.keys()], owner, now + LEASE_MS);
    for (const row of repo.byStatus('processing')) {
      if (running.has(row.id)) continue;
      if (row.lease_owner === owner || (row.lease_expires_at ?? 0) <= now) reclaim(row);
    }
    kick();
    heartbeatTimer = clock.setTimeout(heartbeat, LEASE_MS / 4);
  }

  /** Starts pending exports, oldest first, while their pool (local or provider) has room. */
  function kick(): void {
    if (!accepting) return;
    let local = 0;
    for (const r of running.values()) if (r.local) local++;
    const remote = running.size - local;
    fill('dataset', ctx.config.concurrency - local);
    fill('provider', REMOTE_CONCURRENCY - remote);
  }

  /** Starts up to `room` pending exports of one source. */
  function fill(source: ExportRow['source_type'], room: number): void {
    if (room <= 0) return;
    // A pending export may still be stopping here (a clean shutdown): read past those.
    for (const next of repo.pendingOf(source, room + running.size)) {
      if (running.has(next.id)) continue;
      // Engines sharing a store each hold their own datasets: a dataset export is run where the
      // dataset's file is.
      if (shared && next.dataset !== null && !existsSync(datasetFile(ctx.paths, next.dataset)))
        continue;
      const now = clock.now();
      const ok = repo.transition(next.id, 'processing', now, {
        started_at: next.started_at ?? now,
        attempts: next.attempts + 1,
        progress_stage: 'starting',
        error_json: null,
        ...lease(),
      });
      if (!ok) continue;
      deps.changed(next.id);
      start(repo.mustGet(next.id));
      if (--room === 0) return;
    }
  }

  function start(row: ExportRow): void {
    const abort = new AbortController();
    const entry: Running = {
      id: row.id,
      local: row.source_type === 'dataset',
      abort,
      done: Promise.resolve(),
    };
    running.set(row.id, entry);
    let lastWrite = Number.NEGATIVE_INFINITY;
    let lastStage: string | undefined;
    // Throttled, except that a change of stage is stored at once.
    const progress = (p: JobProgress) => {
      const now = clock.now();
      const newStage = p.stage !== undefined && p.stage !== lastStage;
      if (!newStage && now - lastWrite < progressMs) return;
      if (abort.signal.aborted || repo.get(row.id)?.status !== 'processing') return;
      lastWrite = now;
      if (p.stage !== undefined) lastStage = p.stage;
      const fields: Partial<ExportRow> = { ...lease() };
      if (p.pct !== undefined)
        fields.progress_pct = Math.max(0, Math.min(100, Math.round(p.pct * 10) / 10));
      if (p.stage !== undefined) fields.progress_stage = p.stage;
      if (p.rowsDone !== undefined) fields.rows_done = p.rowsDone;
      if (p.bytesDone !== undefined) fields.bytes_done = p.bytesDone;
      if (p.bytesTotal !== undefined) fields.bytes_total = p.bytesTotal;
      if (p.remoteId !== undefined) fields.remote_id = p.remoteId;
      if (p.remoteStatus !== undefined) fields.remote_status = p.remoteStatus;
      repo.progress(row.id, fields);
      deps.changed(row.id);
    };
    // An error that escapes this job's work (no listener, no catch) fails this export only, even
    // when the work itself never settles; its work is then stopped.
    let crash: (err: Error) => void = () => undefined;
    const crashed = new Promise<never>((_, reject) => (crash = reject));
    const work = runInJobScope(
      row.id,
      (err) => crash(err),
      () => runJob(row, abort.signal, progress),
    );
    const job = Promise.race([work, crashed]);
    crashed.catch(() => setImmediate(() => abort.abort(new Error('the export crashed'))));
    entry.done = job
      .then(async (files) => {
        if (abort.signal.aborted) return;
        await deps.finish(repo.mustGet(row.id), files, abort.signal);
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
  }

  /** Hands the export to its job kind: the stored request as a JobSpec, the queue's hooks. */
  async function runJob(
    row: ExportRow,
    signal: AbortSignal,
    progress: (p: JobProgress) => void,
  ): Promise<readonly JobFile[]> {
    const kind = row.source_type === 'dataset' ? deps.local : deps.remote;
    if (!kind)
      throw new JobError('PROVIDER_ERROR', 'no remote runner: provider exports are unavailable.');
    const dir = deps.files.exportDir(row.id);
    mkdirSync(dir, { recursive: true });
    const hooks: JobHooks = {
      signal,
      exportDir: dir,
      progress,
      recordRemote: (remoteId, remoteStatus) => {
        repo.patch(row.id, { remote_id: remoteId, remote_status: remoteStatus });
        deps.changed(row.id);
      },
      note: (kind, text) => {
        repo.note(row.id, kind, text, clock.now());
        deps.changed(row.id);
      },
    };
    return kind.run(jobSpec(row), hooks);
  }

  /** Stops a running job now (a local one loses its .part); false when it was not running here. */
  async function stop(id: string): Promise<boolean> {
    const entry = running.get(id);
    if (!entry) return false;
    entry.abort.abort();
    await entry.done;
    return true;
  }

  return {
    start() {
      recover();
      accepting = true;
      kick();
      heartbeatTimer = clock.setTimeout(heartbeat, LEASE_MS / 4);
    },
    kick,
    stop,
    isRunning: (id: string) => running.has(id),
    runningCount: () => running.size,
    /** Shutdown: running jobs stop now and go back to pending, so the next start resumes them. */
    async close() {
      accepting = false;
      heartbeatTimer?.cancel();
      heartbeatTimer = null;
      const ids = [...running.keys()];
      await Promise.all(ids.map((id) => stop(id)));
      for (const id of ids) {
        // A clean stop is not a failed attempt.
        const attempts = Math.max(0, (repo.get(id)?.attempts ?? 1) - 1);
        repo.requeue(id, clock.now(), {
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

/** The stored request as its job kind sees it. */
function jobSpec(row: ExportRow): JobSpec {
  const local = row.source_type === 'dataset';
  const req = storedRequest(row);
  return {
    exportId: row.id,
    name: row.name,
    format: row.format as 'csv' | 'jsonl',
    compression: row.compression as ExportCompression,
    compressionLevel: row.compression_level,
    dataset: row.dataset,
    columns: local ? (req.columns ?? null) : null,
    filter: local ? (req.filter ?? null) : null,
    providerId: row.provider_id,
    params: req.params ?? null,
    remoteId: row.remote_id,
    attempt: row.attempts,
    plainCopyDir: local ? null : plainCopyDir(req.destination),
  };
}

/** The folder a decompressed copy goes to, or null (no destination, or not decompressed). */
function plainDestination(d: ExportCreate['destination']): string | null {
  if (!d) return null;
  return d.decompress === true && typeof d.dir === 'string' && isAbsolute(d.dir) ? d.dir : null;
}

function plainCopyDir(d: ExportCreate['destination']): string | null {
  const dir = plainDestination(d);
  if (!dir) return null;
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return null; // saving the copy later reports why the folder is unusable
  }
}
