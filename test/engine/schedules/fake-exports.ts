// A small in-memory exports service for schedule tests: real files and destination copies, and
// exports that finish only when the test says so (complete/fail), on the test's fake clock.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ApiError } from '../../../shared/errors.ts';
import type { Export, ExportCreate, ExportStatus } from '../../../shared/schemas/exports.ts';
import { iso } from '../../../electron/engine/clock.ts';
import type { EngineContext } from '../../../electron/engine/context.ts';
import { saveToDestination } from '../../../electron/engine/storage/destination.ts';
import { newId } from '../../../electron/engine/ids.ts';
import type { ExportsPort } from '../../../electron/engine/schedules/exports-port.ts';
import { extensionFor, slugify } from '../../../electron/engine/storage/files.ts';

export class FakeExports implements ExportsPort {
  readonly all = new Map<string, Export>();
  /** Datasets that exist; a request for another one is refused like the real service does. */
  readonly datasets = new Set(['leads']);
  private readonly ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  private emit(exp: Export): void {
    this.ctx.events.emit('export.updated', exp);
    if (exp.status === 'completed') this.ctx.events.emit('export.completed', exp);
    if (exp.status === 'failed') this.ctx.events.emit('export.failed', exp);
  }

  private set(id: string, patch: Partial<Export>): Export {
    const cur = this.get(id);
    const now = this.ctx.clock.now();
    const status = patch.status ?? cur.status;
    const history =
      status !== cur.status ? [...cur.history, { status, at: iso(now) }] : cur.history;
    const next: Export = { ...cur, ...patch, history, updated_at: iso(now) };
    this.all.set(id, next);
    this.emit(next);
    return next;
  }

  create(
    body: ExportCreate,
    opts: { scheduleId?: string | null; recreatedFrom?: string | null } = {},
  ) {
    if (body.dataset && !this.datasets.has(body.dataset))
      throw new ApiError('INVALID_REQUEST', `unknown dataset "${body.dataset}"`);
    const now = this.ctx.clock.now();
    const exp: Export = {
      id: newId(now),
      name: body.name ?? 'export',
      status: 'pending',
      source: body.provider
        ? {
            type: 'provider',
            provider_id: body.provider,
            provider_type: 'datadriver',
            remote_id: null,
            remote_status: null,
          }
        : { type: 'dataset', dataset: body.dataset! },
      format: body.format ?? 'csv',
      compression: body.compression ?? 'gzip',
      compression_level: 6,
      columns: body.columns ?? null,
      filter: null,
      params: body.params ?? null,
      progress_pct: 0,
      progress_stage: 'queued',
      rows_done: 0,
      bytes_done: 0,
      bytes_total: null,
      row_count: null,
      byte_size: null,
      files: [],
      download_url: null,
      url_expires_at: null,
      error: null,
      recreated_from: opts.recreatedFrom ?? null,
      recreated_as: null,
      schedule_id: opts.scheduleId ?? null,
      destination: body.destination
        ? {
            dir: body.destination.dir,
            decompress: body.destination.decompress ?? false,
            ...(body.destination.filename ? { filename: body.destination.filename } : {}),
            saved_paths: [],
          }
        : null,
      history: [{ status: 'pending', at: iso(now) }],
      timeline: [],
      created_at: iso(now),
      started_at: null,
      completed_at: null,
      expires_at: null,
      updated_at: iso(now),
    };
    this.all.set(exp.id, exp);
    this.emit(exp);
    return { export: exp, replayed: false };
  }

  get(id: string): Export {
    const exp = this.all.get(id);
    if (!exp) throw new ApiError('NOT_FOUND', `No export ${id}.`);
    return exp;
  }

  list(q: { schedule_id?: string; status?: ExportStatus; limit?: number; cursor?: string }) {
    const rows = [...this.all.values()]
      .filter(
        (e) =>
          (!q.schedule_id || e.schedule_id === q.schedule_id) &&
          (!q.status || e.status === q.status),
      )
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
    const from = q.cursor ? Number(q.cursor) : 0;
    const limit = q.limit ?? 50;
    const items = rows.slice(from, from + limit);
    return { items, nextCursor: from + limit < rows.length ? String(from + limit) : null };
  }

  async delete(id: string): Promise<void> {
    this.get(id);
    rmSync(this.dir(id), { recursive: true, force: true });
    this.all.delete(id);
    this.ctx.events.emit('export.deleted', { id });
  }

  downloadLocation(id: string, file = 0): string {
    const exp = this.get(id);
    if (exp.status === 'expired') throw new ApiError('EXPORT_EXPIRED', 'expired');
    if (exp.status === 'failed') throw new ApiError('EXPORT_FAILED', 'failed');
    if (exp.status !== 'completed') throw new ApiError('EXPORT_NOT_READY', 'not ready');
    const f = exp.files[file];
    if (!f) throw new ApiError('NOT_FOUND', 'no such file');
    return `http://127.0.0.1:8787/files/${id}/${f.filename}?expires=1&signature=x`;
  }

  resolveExportFile(id: string): { path: string } {
    const exp = this.get(id);
    const f = exp.files[0];
    if (exp.status !== 'completed' || !f)
      throw new ApiError('INVALID_REQUEST', `Export ${id} is not a completed export.`);
    return { path: join(this.dir(id), f.filename) };
  }

  dir(id: string): string {
    return join(this.ctx.paths.filesDir, id);
  }

  /** Exports not finished yet (pending or processing). */
  open(): Export[] {
    return [...this.all.values()].filter(
      (e) => e.status === 'pending' || e.status === 'processing',
    );
  }

  start(id: string): Export {
    return this.set(id, { status: 'processing', started_at: iso(this.ctx.clock.now()) });
  }

  /** Writes the file, saves the destination copy as the real service does, then completes. */
  async complete(id: string): Promise<Export> {
    const exp = this.get(id);
    const filename = slugify(exp.name) + extensionFor(exp.format, exp.compression);
    const text = `id,name\n1,${exp.id}\n`;
    const body = exp.compression === 'gzip' ? gzipSync(text) : Buffer.from(text);
    mkdirSync(this.dir(id), { recursive: true });
    writeFileSync(join(this.dir(id), filename), body);
    const saved = exp.destination
      ? [await saveToDestination(join(this.dir(id), filename), exp.destination, filename)]
      : [];
    const now = this.ctx.clock.now();
    return this.set(id, {
      status: 'completed',
      completed_at: iso(now),
      expires_at: iso(now + this.ctx.config.retentionSeconds * 1000),
      row_count: 1,
      byte_size: body.length,
      files: [{ filename, byte_size: body.length, sha256: 'x', row_count: 1 }],
      destination: exp.destination ? { ...exp.destination, saved_paths: saved } : null,
      progress_pct: 100,
    });
  }

  fail(id: string, code = 'QUERY_TOO_BROAD', message = 'Too many rows.'): Export {
    return this.set(id, { status: 'failed', error: { code, message } });
  }

  /** The retention sweeper: completed exports past expires_at become expired and lose their files. */
  sweep(): void {
    const now = this.ctx.clock.now();
    for (const e of [...this.all.values()]) {
      if (e.status === 'completed' && e.expires_at && Date.parse(e.expires_at) <= now) {
        rmSync(this.dir(e.id), { recursive: true, force: true });
        this.set(e.id, { status: 'expired' });
      }
    }
  }
}
