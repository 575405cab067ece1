// Datasets: list, import (file, completed export, demo), delete, and what the export runner reads.
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { keepAside } from './recovered.ts';
import { join } from 'node:path';
import { ApiError } from '../../../shared/errors.ts';
import type {
  ColumnValues,
  Dataset,
  DatasetColumn,
  DatasetCount,
  DatasetCreate,
} from '../../../shared/schemas/datasets.ts';
import type { ExportFilter } from '../../../shared/schemas/exports.ts';
import { datasetFile, type EngineContext } from '../context.ts';
import { newId } from '../ids.ts';
import { fsyncPath } from './dataset-file.ts';
import { planCount, planValues, type ValuesQuery } from './dataset-queries.ts';
import { createQueryRunner } from './query-runner.ts';
import {
  createDatasetsRepo,
  toDataset,
  type DatasetPatch,
  type DatasetRecord,
} from './datasets-repo.ts';
import { DEMO_DATASET } from './demo-leads.ts';
import { ImportError } from './import-error.ts';
import {
  checkDatasetName,
  checkSourceFile,
  resolveExportFile,
  type ExportFileRef,
} from './import-request.ts';
import {
  runImport,
  type ImportProgressMessage,
  type ImportWorkerJob,
  type RunningImport,
} from './import-runner.ts';

export type { ExportFileRef };

export interface DatasetsDeps {
  /** The file of a completed export; throws ApiError when there is none. */
  readonly resolveExportFile?: (exportId: string) => ExportFileRef;
  /** Least time between two progress reports of an import (real ms); 250 by default. */
  readonly progressIntervalMs?: number;
  /** Read size of imports (tests make it small to watch progress). */
  readonly chunkBytes?: number;
}

export interface DatasetDescription {
  readonly file: string;
  readonly columns: DatasetColumn[];
  readonly timeColumn: string | null;
  readonly rowCount: number;
}

export interface DatasetsService {
  list(): Dataset[];
  get(name: string): Dataset;
  /** Starts an import and returns the dataset at once, `importing`. */
  create(req: DatasetCreate): Dataset;
  /** Removes the record and its file; an import under way is canceled. */
  delete(name: string): void;
  /** Creates `leads` with this many rows unless this data folder has had it (0 skips). */
  ensureDemo(rows: number): Promise<void>;
  /** For the export runner: the ready dataset's file and shape. */
  describe(name: string): DatasetDescription;
  /** The most frequent distinct values of a ready dataset's column (a capped scan). */
  values(name: string, column: string, q: ValuesQuery): Promise<ColumnValues>;
  /** How many rows of a ready dataset a filter matches. */
  count(name: string, filter: ExportFilter | null): Promise<DatasetCount>;
  /** Start-up: imports left `importing` by a crash fail with INTERRUPTED; scratch files go. */
  recover(): void;
  /** Stops imports under way (they fail with INTERRUPTED) and removes their scratch files. */
  close(): Promise<void>;
}

const DEMO_STATE = 'demo_created';

interface Run {
  readonly id: string;
  readonly handle: RunningImport;
}

export function createDatasetsService(
  ctx: EngineContext,
  deps: DatasetsDeps = {},
): DatasetsService {
  const repo = createDatasetsRepo(ctx.db);
  const runs = new Map<string, Run>();
  const queries = createQueryRunner();
  const fileOf = (name: string) => datasetFile(ctx.paths, name);
  let closed = false;

  const emit = (r: DatasetRecord | null) => {
    if (r) ctx.events.emit('dataset.updated', toDataset(r));
  };
  const update = (name: string, patch: Omit<DatasetPatch, 'updatedAt'>) =>
    repo.update(name, { ...patch, updatedAt: ctx.clock.now() });

  const mustGet = (name: string): DatasetRecord => {
    const r = repo.get(name);
    if (!r) throw new ApiError('NOT_FOUND', `dataset "${name}" not found`, { field: 'name', name });
    return r;
  };

  /** A dataset that can be read now: 404 when unknown, 409 while importing or after a failure. */
  const readable = (name: string): DatasetDescription => {
    const r = mustGet(name);
    if (r.status !== 'ready')
      throw new ApiError('CONFLICT', `dataset "${name}" is not ready (it is ${r.status})`, {
        field: 'name',
        name,
        status: r.status,
      });
    return {
      file: fileOf(name),
      columns: r.columns,
      timeColumn: r.timeColumn,
      rowCount: r.rowCount ?? 0,
    };
  };

  /** Starts the worker for a new `importing` record; settles the record when it ends. */
  function start(name: string, job: (out: string) => ImportWorkerJob): Promise<void> {
    const id = newId(ctx.clock.now());
    const out = join(ctx.paths.tmpDir, `${name}.${id}.sqlite.part`);
    const fail = (e: ImportError) => {
      emit(
        update(name, {
          status: 'failed',
          rowCount: null,
          error: { code: e.code, message: e.message },
        }),
      );
      ctx.logger.warn('dataset import failed', { name, error: e.message });
    };
    let handle: RunningImport;
    try {
      handle = runImport(job(out), (p) => progress(name, id, p));
    } catch (err) {
      fail(new ImportError(`the import could not start: ${String(err)}`, 'INTERNAL'));
      return Promise.resolve();
    }
    runs.set(name, { id, handle });
    const current = () => runs.get(name)?.id === id;
    return handle.result
      .then(
        (built) => {
          if (!current()) return rmSync(out, { force: true });
          runs.delete(name);
          try {
            // Durable before it is called ready: file synced (worker), renamed, dir synced.
            renameSync(out, fileOf(name));
            fsyncPath(ctx.paths.datasetsDir);
          } catch (err) {
            rmSync(out, { force: true });
            const full = (err as { code?: unknown }).code === 'ENOSPC';
            return fail(
              new ImportError(
                full ? 'the disk is full' : `could not store the dataset file: ${String(err)}`,
                full ? 'DISK_FULL' : 'INTERNAL',
              ),
            );
          }
          emit(
            update(name, {
              status: 'ready',
              columns: built.columns,
              timeColumn: built.timeColumn,
              rowCount: built.rowCount,
              progressPct: 100,
              error: null,
            }),
          );
          ctx.logger.info('dataset ready', { name, rows: built.rowCount });
        },
        (err: unknown) => {
          if (!current()) return;
          runs.delete(name);
          fail(err instanceof ImportError ? err : new ImportError(String(err), 'INTERNAL'));
        },
      )
      .catch((err: unknown) => {
        // The store may be closed under a late import: nothing to record, nothing to crash.
        ctx.logger.error('dataset import bookkeeping failed', { name, error: err });
      });
  }

  function progress(name: string, id: string, p: ImportProgressMessage): void {
    if (runs.get(name)?.id !== id) return;
    try {
      emit(
        update(name, {
          // 100 is kept for `ready`: the index and the sync still follow the last byte.
          progressPct: Math.min(99.9, Math.floor(p.fraction * 1000) / 10),
          bytesDone: p.bytesDone,
          bytesTotal: p.bytesTotal,
          rowCount: p.rows,
        }),
      );
    } catch (err) {
      // Called from a worker's message: a throw here would take the whole engine down.
      ctx.logger.error('dataset progress could not be recorded', { name, error: err });
    }
  }

  function insertImporting(name: string, source: string, bytesTotal: number | null): void {
    const now = ctx.clock.now();
    repo.insert({
      name,
      status: 'importing',
      columns: [],
      timeColumn: null,
      rowCount: null,
      progressPct: 0,
      bytesDone: 0,
      bytesTotal,
      source,
      error: null,
      createdAt: now,
      updatedAt: now,
    });
    emit(repo.get(name));
  }

  /** Stops a run so that nothing it does later touches the record. */
  function stop(name: string): Promise<void> {
    const run = runs.get(name);
    if (!run) return Promise.resolve();
    runs.delete(name);
    return run.handle.cancel();
  }

  function removeFile(file: string): void {
    try {
      rmSync(file, { force: true });
    } catch (err) {
      ctx.logger.warn('could not remove a dataset file', { file, error: err });
    }
  }

  function checkNewName(name: string): void {
    checkDatasetName(name);
    const existing = repo.getIgnoringCase(name);
    if (!existing) return;
    // A failed import holds no data: its name may be used again straight away.
    if (existing.status === 'failed' && !runs.has(existing.name)) {
      repo.delete(existing.name);
      return;
    }
    throw new ApiError('CONFLICT', `dataset "${existing.name}" already exists`, { name });
  }

  const interval = deps.progressIntervalMs ?? 250;

  return {
    list: () => repo.list().map(toDataset),

    get: (name) => toDataset(mustGet(name)),

    create(req) {
      if (closed) throw new ApiError('SERVICE_UNAVAILABLE', 'the engine is shutting down');
      const hasPath = typeof req.path === 'string';
      const hasExport = typeof req.export_id === 'string';
      if (hasPath === hasExport)
        throw new ApiError('INVALID_REQUEST', 'give either "path" or "export_id", not both');
      checkNewName(req.name);
      let source: string;
      let format: 'csv' | 'jsonl' | null = null;
      if (hasExport) {
        const ref = resolveExportFile(deps.resolveExportFile, req.export_id!);
        source = ref.path;
        format = ref.format;
      } else source = req.path!;
      const size = checkSourceFile(source);
      insertImporting(req.name, hasExport ? `export:${req.export_id}` : source, size);
      void start(req.name, (out) => ({
        kind: 'file',
        source,
        out,
        format,
        timeColumn: req.time_column ?? null,
        indexColumns: req.index_columns ?? [],
        chunkBytes: deps.chunkBytes,
        progressIntervalMs: interval,
      }));
      return toDataset(mustGet(req.name));
    },

    delete(name) {
      mustGet(name);
      void stop(name);
      repo.delete(name);
      removeFile(fileOf(name));
      ctx.events.emit('dataset.deleted', { name });
    },

    async ensureDemo(rows) {
      if (rows <= 0 || closed) return;
      const existing = repo.get(DEMO_DATASET);
      if (existing) {
        // Only a demo that never finished is made again; anything else named `leads` stays.
        if (existing.status !== 'failed' || existing.source !== 'demo') return;
        repo.delete(DEMO_DATASET);
      } else if (repo.getState(DEMO_STATE) !== null) {
        return; // the user deleted it: do not bring it back
      }
      if (repo.getIgnoringCase(DEMO_DATASET)) return;
      repo.setState(DEMO_STATE, String(ctx.clock.now()));
      insertImporting(DEMO_DATASET, 'demo', null);
      await start(DEMO_DATASET, (out) => ({
        kind: 'demo',
        rows,
        out,
        progressIntervalMs: interval,
      }));
    },

    describe(name) {
      const r = repo.get(name);
      if (!r)
        throw new ApiError('INVALID_REQUEST', `unknown dataset "${name}"`, {
          field: 'dataset',
          dataset: name,
        });
      if (r.status !== 'ready')
        throw new ApiError(
          'INVALID_REQUEST',
          `dataset "${name}" is not ready (it is ${r.status})`,
          { field: 'dataset', dataset: name, status: r.status },
        );
      return {
        file: fileOf(name),
        columns: r.columns,
        timeColumn: r.timeColumn,
        rowCount: r.rowCount ?? 0,
      };
    },

    values: async (name, column, q) => queries.values(planValues(readable(name), name, column, q)),

    count: async (name, filter) => queries.count(planCount(readable(name), name, filter)),

    recover() {
      for (const r of repo.listByStatus('importing')) {
        if (runs.has(r.name)) continue;
        // A crash between the rename and `ready` leaves a whole file nobody vouches for: kept aside.
        keepAside(ctx, fileOf(r.name), 'its import was interrupted');
        emit(
          update(r.name, {
            status: 'failed',
            error: {
              code: 'INTERRUPTED',
              message: 'the import was interrupted: Export Manager stopped before it finished',
            },
          }),
        );
      }
      const live = new Set([...runs.values()].map((run) => run.id));
      for (const f of safeList(ctx.paths.tmpDir)) {
        // The part and the journal SQLite keeps beside it (-journal, -wal, -shm) while it writes.
        const m = /^.+\.([^.]+)\.sqlite\.part(?:-journal|-wal|-shm)?$/.exec(f);
        if (m && !live.has(m[1])) removeFile(join(ctx.paths.tmpDir, f));
      }
      // Files without a ready record (a crash between deleting a record and its file, or a job
      // store that is missing or empty) may be the user's only copy: moved aside, never deleted.
      const ready = new Set(repo.listByStatus('ready').map((r) => `${r.name}.sqlite`));
      for (const f of safeList(ctx.paths.datasetsDir)) {
        if (f.endsWith('.sqlite') && !ready.has(f))
          keepAside(ctx, join(ctx.paths.datasetsDir, f), 'no dataset record names it');
      }
    },

    async close() {
      closed = true;
      await queries.close();
      const names = [...runs.keys()];
      await Promise.all(names.map(stop));
      for (const name of names) {
        emit(
          update(name, {
            status: 'failed',
            error: { code: 'INTERRUPTED', message: 'Export Manager was closed during the import' },
          }),
        );
      }
    },
  };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
