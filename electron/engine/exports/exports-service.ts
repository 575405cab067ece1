// The exports service behind /v1/exports: create, read, links, cancel/recreate/delete, retention.
import { ApiError } from '../../../shared/errors.ts';
import type {
  Export,
  ExportCounts,
  ExportCountsQuery,
  ExportCreate,
  ExportListQuery,
} from '../../../shared/schemas/exports.ts';
import { iso } from '../clock.ts';
import type { EngineContext } from '../context.ts';
import type { DatasetDescription } from '../datasets/datasets-service.ts';
import { saveToDestination, type DestinationSpec } from '../storage/destination.ts';
import { isUuid } from '../ids.ts';
import { sweepStoredLeftovers, type ExportStorage } from '../storage/export-storage.ts';
import type { FileStore } from '../storage/files.ts';
import { fromStorage } from '../storage/stored-copy.ts';
import type { Presigner } from '../storage/presigner.ts';
import { immediate } from '../store/db.ts';
import { commitMark, syncSoon } from '../store/durability.ts';
import { buildRow, decodeCursor, encodeCursor, parseStatuses } from './export-request.ts';
import { createExportsRepo, type ExportRow, type ExportsRepo } from './exports-repo.ts';
import { checkIdempotencyKey, createIdempotencyStore, requestHash } from './idempotency.ts';
import type { RemoteJobRunner } from '../jobs/job-types.ts';
import { exportFileResolver } from './export-file-ref.ts';
import { createJobOutcomes } from './job-outcomes.ts';
import { createLocalJobRunner } from './local-job.ts';
import { createRunner } from './runner.ts';
import type { WorkQueue } from './work-queue.ts';
import { storedRequest } from './stored-request.ts';
import { createSweeper } from './sweeper.ts';

export { canonicalJson } from './export-request.ts';

export interface ExportsDeps {
  /** The exports repo, when others share it (engine.ts); by default the service makes its own. */
  readonly repo?: ExportsRepo;
  readonly datasets: { describe(name: string): DatasetDescription };
  readonly files: FileStore;
  /** Where completed files live; without it, the data folder (files stay where jobs wrote them). */
  readonly storage?: ExportStorage;
  readonly presigner: Presigner;
  /** Runs provider exports; without it they fail with PROVIDER_ERROR. */
  readonly remote?: RemoteJobRunner;
  /** Provider lookup for provider exports: its type and display name; throws NOT_FOUND when unknown. */
  readonly providers?: { describe(id: string): { type: string; name: string } };
  /** Team mode: the job queue shared by every engine process (the runner closes it). */
  readonly queue?: WorkQueue;
  /** Team mode, tests: how often running exports are checked for a cancel elsewhere (1 s). */
  readonly watchMs?: number;
  /** Tests: least time between two progress writes (default 250 ms). */
  readonly progressMs?: number;
  /** Tests: local exports fail with ENOSPC past this many bytes (DISK_FULL). */
  readonly failAfterBytes?: number;
  /** Tests: a smaller uncompressed block size in the export worker. */
  readonly blockBytes?: number;
  /** Tests: a smaller heap ceiling for the export worker, to see it run out. */
  readonly workerOldGenMb?: number;
  /** The export worker's entry file (default: beside the runner, .ts or .js like it). */
  readonly workerFile?: URL | string;
}

/** Progress events of one export are at least this far apart (status changes are told at once). */
export const PROGRESS_EVENT_MS = 25;

export interface CreateOptions {
  readonly idempotencyKey?: string | undefined;
  readonly scheduleId?: string | null;
  readonly recreatedFrom?: string | null;
}

export function createExportsService(ctx: EngineContext, deps: ExportsDeps) {
  const { db, clock, events } = ctx;
  const repo = deps.repo ?? createExportsRepo(db);
  const idempotency = createIdempotencyStore(db);

  // Progress (stage, rows, bytes) is told in one event per PROGRESS_EVENT_MS at most, carrying the
  // latest state; a status change is told at once, and takes any progress still waiting with it.
  // Otherwise a one-row export sends about seven events (three of them stages it passes within a
  // millisecond or two), each shaped, logged and written to every stream. A real timer, as for
  // the store's write batch: this is pacing, not the engine's clock, which tests move by hand.
  const progressed = new Set<string>();
  let progressTimer: NodeJS.Timeout | null = null;
  const flushProgress = () => {
    progressTimer = null;
    const ids = [...progressed];
    progressed.clear();
    for (const id of ids) emit(id);
  };
  const emitProgress = (id: string) => {
    progressed.add(id);
    if (progressTimer) return;
    progressTimer = setTimeout(flushProgress, PROGRESS_EVENT_MS);
    progressTimer.unref();
  };

  const emit = (id: string) => {
    progressed.delete(id);
    const row = repo.get(id);
    if (!row) return;
    const exp = toApi(row);
    events.emit('export.updated', exp);
    if (row.status === 'completed') events.emit('export.completed', exp);
    if (row.status === 'failed') events.emit('export.failed', exp);
  };

  function checkId(id: string): void {
    if (!isUuid(id))
      throw new ApiError('INVALID_REQUEST', `"${id.slice(0, 80)}" is not an export id.`);
  }

  /** A presigned link valid for url-ttl, never past the export's own expiry, ending in the file's
   * name (`/files/ID/SIGNATURE/EXPIRES/NAME`) so tools infer name and compression from it. */
  function fileUrl(row: ExportRow, filename: string): { url: string; expiresAt: number } {
    const now = clock.now();
    const cap = row.expires_at ?? Number.MAX_SAFE_INTEGER;
    const expiresUnix = Math.floor(Math.min(now + ctx.config.urlTtlSeconds * 1000, cap) / 1000);
    const path = `/files/${row.id}/${encodeURIComponent(filename)}`;
    return {
      url: `${ctx.baseUrl()}${deps.presigner.signPath(path, expiresUnix)}`,
      expiresAt: expiresUnix * 1000,
    };
  }

  function toApi(row: ExportRow, shaped?: Export): Export {
    const exp = shaped ?? repo.toExport(row);
    const first = exp.files[0];
    if (row.status === 'completed' && first) {
      const link = fileUrl(row, first.filename);
      exp.download_url = link.url;
      exp.url_expires_at = iso(link.expiresAt);
    }
    return exp;
  }

  const { fail, finish } = createJobOutcomes(ctx, {
    repo,
    files: deps.files,
    changed: emit,
    completed: () => sweeper.arm(),
    ...(deps.storage ? { storage: deps.storage } : {}),
  });

  const progressMs = deps.progressMs ?? 250;
  const local = createLocalJobRunner(ctx, {
    datasets: deps.datasets,
    progressMs,
    failAfterBytes: deps.failAfterBytes,
    blockBytes: deps.blockBytes,
    workerOldGenMb: deps.workerOldGenMb,
    workerFile: deps.workerFile,
  });
  const runner = createRunner(ctx, {
    repo,
    files: deps.files,
    local,
    remote: deps.remote,
    finish,
    fail,
    changed: emit,
    progressed: emitProgress,
    progressMs,
    queue: deps.queue,
    ...(deps.watchMs !== undefined ? { watchMs: deps.watchMs } : {}),
  });

  const sweeper = createSweeper(ctx, repo, deps.files, emit);

  /**
   * Accepts an export. `mark` (store/durability.ts commitMark) is the store right after its commit:
   * what the answer tells of, to be on disk before the answer leaves. Its sync starts at once and
   * runs while the job starts and the answer is shaped.
   */
  function create(
    body: ExportCreate,
    opts: CreateOptions = {},
  ): { export: Export; replayed: boolean; mark: number } {
    const key = opts.idempotencyKey;
    checkIdempotencyKey(key);
    const hash = requestHash(body);
    // Lazy (store/durability.ts): the response that tells of the new export, and its events,
    // leave once it is on disk; the commit does not hold the engine's thread meanwhile.
    const result = immediate(
      db,
      () => {
        const now = clock.now();
        if (key !== undefined) {
          const prior = idempotency.replay(key, hash, now);
          if (prior) return { export: prior, replayed: true };
        }
        const row = buildRow(deps, body, opts, now);
        repo.insert(row);
        const exp = toApi(repo.mustGet(row.id));
        if (key !== undefined) idempotency.record(key, hash, exp, now);
        // Started in this same commit when a worker is free: the answer tells of the export as
        // accepted (pending), and its start is the next event.
        return { export: exp, replayed: false, started: runner.acceptAndStart(row) };
      },
      { lazy: true },
    );
    const mark = commitMark(db);
    syncSoon(db);
    if (!result.replayed) {
      events.emit('export.updated', result.export);
      if (opts.recreatedFrom) emit(opts.recreatedFrom); // it now names its re-creation
      if (result.started) result.started();
      else runner.added(result.export.id);
    }
    return { export: result.export, replayed: result.replayed, mark };
  }

  function get(id: string): Export {
    checkId(id);
    return toApi(repo.mustGet(id));
  }

  function list(q: ExportListQuery): { items: Export[]; nextCursor: string | null } {
    const limit = q.limit ?? 50;
    const sort = q.sort ?? 'created_desc';
    const byName = sort.startsWith('name');
    const rows = repo.list({
      status: q.status ? parseStatuses(q.status) : undefined,
      source: q.source,
      scheduleId: q.schedule_id,
      q: q.q,
      sort,
      limit,
      cursor: q.cursor ? decodeCursor(q.cursor, byName) : undefined,
    });
    const page = rows.slice(0, limit);
    return {
      items: repo.toExports(page).map((exp, i) => toApi(page[i]!, exp)),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!, byName) : null,
    };
  }

  function counts(q: ExportCountsQuery): ExportCounts {
    const byStatus = repo.counts({ source: q.source, scheduleId: q.schedule_id, q: q.q });
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    return { total, by_status: byStatus };
  }

  function conflict(row: ExportRow, action: string): ApiError {
    return new ApiError(
      'CONFLICT',
      `The export is ${row.status}; only pending or processing exports can be ${action}.`,
      { status: row.status },
    );
  }

  async function cancel(id: string): Promise<Export> {
    checkId(id);
    const row = repo.mustGet(id);
    if (row.status !== 'pending' && row.status !== 'processing') throw conflict(row, 'canceled');
    // A pending export is canceled before anything can start it; a running one is stopped first
    // (it stays `processing` while it stops, so the queue never picks it up again).
    if (row.status === 'processing') await runner.stop(id);
    const ok = repo.transition(id, 'canceled', clock.now(), {
      progress_stage: 'canceled',
      error_json: JSON.stringify({ code: 'CANCELED', message: 'Canceled by request.' }),
      lease_owner: null,
      lease_expires_at: null,
    });
    // It completed or failed before the cancel reached it: its result stands.
    if (!ok) throw conflict(repo.mustGet(id), 'canceled');
    deps.files.removeExport(id);
    emit(id);
    return toApi(repo.mustGet(id));
  }

  function recreate(id: string, opts: { scheduleId?: string | null } = {}): Export {
    checkId(id);
    const row = repo.mustGet(id);
    const body = storedRequest(row);
    return create(body, { recreatedFrom: row.id, scheduleId: opts.scheduleId ?? row.schedule_id })
      .export;
  }

  async function remove(id: string): Promise<void> {
    checkId(id);
    repo.mustGet(id);
    if (runner.isRunning(id)) await runner.stop(id);
    // No await between here and the end: nothing can start this export again.
    repo.remove(id);
    deps.files.removeExport(id);
    events.emit('export.deleted', { id });
  }

  function downloadLocation(id: string, file = 0): string {
    checkId(id);
    const row = repo.mustGet(id);
    if (row.status === 'expired')
      throw new ApiError(
        'EXPORT_EXPIRED',
        `This export expired on ${iso(row.expires_at ?? row.updated_at)}. Recreate it.`,
      );
    if (row.status === 'failed')
      throw new ApiError('EXPORT_FAILED', 'The export failed; it has no file.', {
        error: row.error_json ? JSON.parse(row.error_json) : null,
      });
    if (row.status !== 'completed')
      throw new ApiError(
        'EXPORT_NOT_READY',
        `The export is ${row.status}; its file is not ready yet.`,
        { status: row.status },
      );
    const f = repo.files(id)[file];
    if (!f) throw new ApiError('NOT_FOUND', `The export has no file number ${file}.`);
    return fileUrl(row, f.filename).url;
  }

  /** For /files: the stored file of a served link, or why not (410 when the export is gone). */
  function servedFile(
    id: string,
    filename: string,
  ): { path: string; size: number; sha256: string } {
    const path = deps.files.resolveFile(id, filename);
    const row = repo.get(id);
    if (!row || row.status !== 'completed')
      throw new ApiError('EXPORT_EXPIRED', 'This export is gone: it expired or was deleted.');
    const f = repo.files(id).find((x) => x.filename === filename);
    if (!f) throw new ApiError('NOT_FOUND', 'No such file in this export.');
    return { path, size: f.byte_size, sha256: f.sha256 };
  }

  /**
   * Saves a copy of a completed export's file into a folder of the user's (the UI's "Save as"),
   * decompressed if asked, under a name that never overwrites an existing file.
   */
  async function saveCopy(
    id: string,
    req: { dir: string; filename?: string; decompress?: boolean; file?: number },
  ): Promise<{ path: string }> {
    downloadLocation(id, req.file ?? 0); // the same 404/409/410 answers as a download
    const f = repo.files(id)[req.file ?? 0]!;
    const stored = await fromStorage(ctx, deps.storage, deps.files, id, f.filename);
    const spec: DestinationSpec = {
      dir: req.dir,
      decompress: req.decompress ?? false,
      ...(req.filename ? { filename: req.filename } : {}),
    };
    try {
      return { path: await saveToDestination(stored.path, spec, f.filename) };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOSPC')
        throw new ApiError('DISK_FULL', `There is no space left in ${req.dir}.`);
      throw new ApiError('INVALID_REQUEST', `Could not save a copy in ${req.dir}: ${e.message}`);
    } finally {
      stored.release();
    }
  }

  return {
    create,
    get,
    list,
    counts,
    cancel,
    recreate,
    delete: remove,
    downloadLocation,
    saveCopy,
    servedFile,
    /** The stored file of a completed export (schedules compare runs' files with it). */
    resolveExportFile: exportFileResolver(repo, deps.files, deps.storage),
    /** Recovery of crashed jobs, the queue, and the retention sweeper (with a check now). */
    start() {
      runner.start();
      sweeper.start();
      if (deps.storage && deps.storage.kind !== 'local') {
        const live = (id: string) => {
          const row = repo.get(id);
          return !!row && !['expired', 'failed', 'canceled'].includes(row.status);
        };
        void sweepStoredLeftovers(deps.storage, live, ctx.logger);
      }
    },
    /** Stops accepting work; running jobs stop and go back to pending for the next start. */
    async close() {
      sweeper.stop();
      await runner.close();
      await local.close();
      if (progressTimer) clearTimeout(progressTimer);
      flushProgress();
      repo.flush();
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
