// The exports service behind /v1/exports: validation, idempotency, links, cancel/recreate/delete, retention.
import { createHash } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { ApiError } from '../../../shared/errors.ts';
import type { Export, ExportCreate, ExportListQuery } from '../../../shared/schemas/exports.ts';
import { iso } from '../clock.ts';
import type { EngineContext } from '../context.ts';
import type { DatasetDescription } from '../datasets/datasets-service.ts';
import { compileQuery } from '../datasets/filter-sql.ts';
import { saveToDestination } from '../downloads/destination.ts';
import { isUuid, newId } from '../ids.ts';
import type { FileStore } from '../storage/files.ts';
import type { Presigner } from '../storage/presigner.ts';
import { immediate } from '../store/db.ts';
import { createExportsRepo, type ExportRow } from './exports-repo.ts';
import type { JobFile, RemoteJobRunner } from './job-types.ts';
import { createRunner } from './runner.ts';
import { createSweeper } from './sweeper.ts';

export interface ExportsDeps {
  readonly datasets: { describe(name: string): DatasetDescription };
  readonly files: FileStore;
  readonly presigner: Presigner;
  readonly remote?: RemoteJobRunner;
  /** Provider lookup for provider exports: its type and display name; throws NOT_FOUND when unknown. */
  readonly providers?: { describe(id: string): { type: string; name: string } };
  readonly progressMs?: number;
  readonly failAfterBytes?: number;
}

export interface CreateOptions {
  readonly idempotencyKey?: string | undefined;
  readonly scheduleId?: string | null;
  readonly recreatedFrom?: string | null;
}

const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;

/** JSON with sorted keys, so two bodies equal as parsed JSON compare equal. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  if (v && typeof v === 'object') {
    return (
      '{' +
      Object.keys(v)
        .sort()
        .map((k) => JSON.stringify(k) + ':' + canonicalJson((v as Record<string, unknown>)[k]))
        .join(',') +
      '}'
    );
  }
  return JSON.stringify(v) ?? 'null';
}

const encodeCursor = (row: ExportRow) =>
  Buffer.from(`${row.created_at}:${row.id}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const m = /^(\d+):([0-9a-f-]{36})$/i.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m)
    throw new ApiError(
      'INVALID_REQUEST',
      'The cursor is malformed; use next_cursor from the previous page.',
    );
  return { createdAt: Number(m[1]), id: m[2]! };
}

export function createExportsService(ctx: EngineContext, deps: ExportsDeps) {
  const { db, clock, events } = ctx;
  const repo = createExportsRepo(db);

  const emit = (id: string) => {
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

  function fileUrl(row: ExportRow, filename: string): { url: string; expiresAt: number } {
    const now = clock.now();
    const cap = row.expires_at ?? Number.MAX_SAFE_INTEGER;
    const expiresAt = Math.min(now + ctx.config.urlTtlSeconds * 1000, cap);
    const path = `/files/${row.id}/${encodeURIComponent(filename)}`;
    return {
      url: `${ctx.baseUrl()}${path}?${deps.presigner.sign(path, Math.floor(expiresAt / 1000))}`,
      expiresAt: Math.floor(expiresAt / 1000) * 1000,
    };
  }

  function toApi(row: ExportRow): Export {
    const exp = repo.toExport(row);
    const first = exp.files[0];
    if (row.status === 'completed' && first) {
      const link = fileUrl(row, first.filename);
      exp.download_url = link.url;
      exp.url_expires_at = iso(link.expiresAt);
    }
    return exp;
  }

  function fail(
    row: ExportRow,
    code: string,
    message: string,
    details?: Record<string, unknown>,
  ): void {
    const error = { code, message, ...(details && Object.keys(details).length ? { details } : {}) };
    if (
      repo.transition(row.id, 'failed', clock.now(), {
        error_json: JSON.stringify(error),
        lease_owner: null,
        lease_expires_at: null,
        progress_stage: 'failed',
      })
    ) {
      emit(row.id);
    }
  }

  async function finish(row: ExportRow, files: readonly JobFile[]): Promise<void> {
    const dir = deps.files.exportDir(row.id);
    const saved: string[] = [];
    let warning: { code: string; message: string } | null = null;
    const dest = row.destination_json
      ? (JSON.parse(row.destination_json) as {
          dir: string;
          decompress?: boolean;
          filename?: string;
        })
      : null;
    if (dest) {
      runner_progress(row.id, 'saving a copy');
      try {
        for (const f of files)
          saved.push(
            await saveToDestination(
              join(dir, f.filename),
              files.length > 1 ? { ...dest, filename: undefined } : dest,
              f.filename,
            ),
          );
      } catch (err) {
        warning = {
          code: 'DESTINATION_FAILED',
          message: `The export is ready, but saving a copy to ${dest.dir} failed: ${(err as Error).message}`,
        };
      }
    }
    const now = clock.now();
    const ok = immediate(db, () => {
      repo.setFiles(
        row.id,
        files.map((f) => ({
          filename: f.filename,
          byte_size: f.byteSize,
          sha256: f.sha256,
          row_count: f.rowCount,
        })),
      );
      const rows = files.every((f) => f.rowCount !== null)
        ? files.reduce((n, f) => n + (f.rowCount ?? 0), 0)
        : null;
      return repo.transition(row.id, 'completed', now, {
        completed_at: now,
        expires_at: now + ctx.config.retentionSeconds * 1000,
        row_count: rows,
        byte_size: files.reduce((n, f) => n + f.byteSize, 0),
        progress_pct: 100,
        progress_stage: 'completed',
        rows_done: rows ?? row.rows_done,
        saved_paths_json: JSON.stringify(saved),
        error_json: warning ? JSON.stringify(warning) : null,
        lease_owner: null,
        lease_expires_at: null,
      });
    });
    if (ok) {
      emit(row.id);
      sweeper.arm();
    }
  }

  const runner_progress = (id: string, stage: string) => {
    repo.patch(id, { progress_stage: stage });
    emit(id);
  };

  const runner = createRunner(ctx, {
    repo,
    files: deps.files,
    datasets: deps.datasets,
    remote: deps.remote,
    finish,
    fail,
    changed: emit,
    ...(deps.progressMs !== undefined ? { progressMs: deps.progressMs } : {}),
    ...(deps.failAfterBytes !== undefined ? { failAfterBytes: deps.failAfterBytes } : {}),
  });

  const sweeper = createSweeper(ctx, repo, deps.files, emit);

  function buildRow(body: ExportCreate, opts: CreateOptions): ExportRow {
    const hasDataset = body.dataset !== undefined;
    const hasProvider = body.provider !== undefined;
    if (hasDataset === hasProvider)
      throw new ApiError('INVALID_REQUEST', 'Give exactly one of "dataset" or "provider".');
    if (body.destination && !isAbsolute(body.destination.dir)) {
      throw new ApiError(
        'INVALID_REQUEST',
        `destination.dir must be an absolute path, not "${body.destination.dir}".`,
      );
    }
    const now = clock.now();
    let name = body.name;
    let sourceFields: Partial<ExportRow>;
    if (hasDataset) {
      if (body.params !== undefined)
        throw new ApiError(
          'INVALID_REQUEST',
          '"params" belongs to provider exports; use "filter" and "columns" for a dataset.',
        );
      const ds = deps.datasets.describe(body.dataset!);
      compileQuery(ds, { columns: body.columns ?? null, filter: body.filter ?? null }); // validates columns, ops, values
      sourceFields = { source_type: 'dataset', dataset: body.dataset! };
      name ??= `${body.dataset} ${iso(now).slice(0, 10)}`;
    } else {
      if (!deps.providers)
        throw new ApiError('INVALID_REQUEST', 'Provider exports are not available in this build.');
      const p = deps.providers.describe(body.provider!);
      sourceFields = {
        source_type: 'provider',
        provider_id: body.provider!,
        provider_type: p.type,
      };
      name ??= `${p.name} ${iso(now).slice(0, 10)}`;
    }
    return {
      id: newId(now),
      name,
      status: 'pending',
      source_type: 'dataset',
      dataset: null,
      provider_id: null,
      provider_type: null,
      remote_id: null,
      remote_status: null,
      ...sourceFields,
      request_json: JSON.stringify(body),
      format: body.format ?? 'csv',
      compression: body.compression ?? 'gzip',
      compression_level: body.compression_level ?? 6,
      columns_json: body.columns ? JSON.stringify(body.columns) : null,
      filter_json: body.filter ? JSON.stringify(body.filter) : null,
      params_json: body.params ? JSON.stringify(body.params) : null,
      progress_pct: 0,
      progress_stage: 'queued',
      rows_done: 0,
      bytes_done: 0,
      bytes_total: null,
      row_count: null,
      byte_size: null,
      error_json: null,
      recreated_from: opts.recreatedFrom ?? null,
      schedule_id: opts.scheduleId ?? null,
      destination_json: body.destination ? JSON.stringify(body.destination) : null,
      saved_paths_json: null,
      attempts: 0,
      lease_owner: null,
      lease_expires_at: null,
      created_at: now,
      started_at: null,
      completed_at: null,
      expires_at: null,
      updated_at: now,
    };
  }

  function create(
    body: ExportCreate,
    opts: CreateOptions = {},
  ): { export: Export; replayed: boolean } {
    const key = opts.idempotencyKey;
    if (key !== undefined && (key.length === 0 || key.length > 255)) {
      throw new ApiError('INVALID_REQUEST', 'Idempotency-Key must be 1 to 255 characters.');
    }
    const hash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const result = immediate(db, () => {
      if (key !== undefined) {
        const prior = db
          .prepare('SELECT * FROM idempotency_keys WHERE key = ? AND created_at > ?')
          .get(key, clock.now() - IDEMPOTENCY_WINDOW_MS) as
          { request_hash: string; response_json: string | null } | undefined;
        if (prior) {
          if (prior.request_hash !== hash) {
            throw new ApiError(
              'IDEMPOTENCY_KEY_REUSED',
              'This Idempotency-Key was used with another request body in the last 24 hours.',
            );
          }
          if (!prior.response_json)
            throw new ApiError(
              'IDEMPOTENCY_IN_PROGRESS',
              'A request with this Idempotency-Key is still being processed.',
            );
          return { export: JSON.parse(prior.response_json) as Export, replayed: true };
        }
      }
      const row = buildRow(body, opts);
      repo.insert(row);
      const exp = toApi(repo.mustGet(row.id));
      if (key !== undefined) {
        db.prepare('DELETE FROM idempotency_keys WHERE created_at <= ?').run(
          clock.now() - IDEMPOTENCY_WINDOW_MS,
        );
        db.prepare(
          'INSERT OR REPLACE INTO idempotency_keys (key, request_hash, export_id, status_code, response_json, created_at) VALUES (?, ?, ?, 202, ?, ?)',
        ).run(key, hash, row.id, JSON.stringify(exp), clock.now());
      }
      return { export: exp, replayed: false };
    });
    if (!result.replayed) {
      events.emit('export.updated', result.export);
      runner.kick();
    }
    return result;
  }

  function get(id: string): Export {
    checkId(id);
    return toApi(repo.mustGet(id));
  }

  function list(q: ExportListQuery): { items: Export[]; nextCursor: string | null } {
    const limit = q.limit ?? 50;
    const rows = repo.list({
      status: q.status,
      source: q.source,
      scheduleId: q.schedule_id,
      q: q.q,
      limit,
      cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(toApi),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null,
    };
  }

  async function cancel(id: string): Promise<Export> {
    checkId(id);
    const row = repo.mustGet(id);
    if (row.status !== 'pending' && row.status !== 'processing') {
      throw new ApiError(
        'CONFLICT',
        `The export is ${row.status}; only pending or processing exports can be canceled.`,
      );
    }
    await runner.stop(id);
    const error = JSON.stringify({ code: 'CANCELED', message: 'Canceled by request.' });
    repo.transition(id, 'canceled', clock.now(), {
      progress_stage: 'canceled',
      error_json: error,
      lease_owner: null,
      lease_expires_at: null,
    });
    deps.files.removeExport(id);
    emit(id);
    return toApi(repo.mustGet(id));
  }

  function recreate(id: string, opts: { scheduleId?: string | null } = {}): Export {
    checkId(id);
    const row = repo.mustGet(id);
    const body = JSON.parse(row.request_json) as ExportCreate;
    return create(body, { recreatedFrom: row.id, scheduleId: opts.scheduleId ?? row.schedule_id })
      .export;
  }

  async function remove(id: string): Promise<void> {
    checkId(id);
    repo.mustGet(id);
    await runner.stop(id);
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

  /** The stored file of a completed export, for importing it as a dataset. */
  function resolveExportFile(id: string): {
    path: string;
    format: 'csv' | 'jsonl';
    compression: 'gzip' | 'none';
  } {
    checkId(id);
    const row = repo.get(id);
    if (!row || row.status !== 'completed')
      throw new ApiError('INVALID_REQUEST', `Export ${id} is not a completed export.`);
    const f = repo.files(id)[0];
    if (!f) throw new ApiError('INVALID_REQUEST', `Export ${id} has no file.`);
    return {
      path: deps.files.resolveFile(id, f.filename),
      format: row.format as 'csv' | 'jsonl',
      compression: f.filename.endsWith('.gz') ? 'gzip' : 'none',
    };
  }

  return {
    create,
    get,
    list,
    cancel,
    recreate,
    delete: remove,
    downloadLocation,
    servedFile,
    resolveExportFile,
    repo,
    start() {
      runner.start();
      sweeper.start();
    },
    async close() {
      sweeper.stop();
      await runner.close();
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
