// A POST /v1/exports body checked and turned into a new export row; list cursors.
import { isAbsolute } from 'node:path';
import { ApiError } from '../../../shared/errors.ts';
import type { ExportCreate, ExportStatus } from '../../../shared/schemas/exports.ts';
import { iso } from '../clock.ts';
import type { DatasetDescription } from '../datasets/datasets-service.ts';
import { compileQuery } from '../datasets/filter-sql.ts';
import { newId } from '../ids.ts';
import type { ExportRow } from './exports-repo.ts';
import type { ListCursor } from './list-query.ts';

export interface RequestDeps {
  readonly datasets: { describe(name: string): DatasetDescription };
  /** Provider lookup: its type and display name; throws NOT_FOUND when unknown. */
  readonly providers?: { describe(id: string): { type: string; name: string } } | undefined;
}

export interface RowOptions {
  readonly scheduleId?: string | null | undefined;
  readonly recreatedFrom?: string | null | undefined;
}

/**
 * Validates a request synchronously (unknown dataset, column or op: 400 naming it) and returns the
 * pending row to insert. Nothing is written here.
 */
export function buildRow(
  deps: RequestDeps,
  body: ExportCreate,
  opts: RowOptions,
  now: number,
): ExportRow {
  const hasDataset = body.dataset !== undefined;
  const hasProvider = body.provider !== undefined;
  if (hasDataset === hasProvider)
    throw new ApiError('INVALID_REQUEST', 'Give exactly one of "dataset" or "provider".');
  if (body.destination && !isAbsolute(body.destination.dir)) {
    throw new ApiError(
      'INVALID_REQUEST',
      `destination.dir must be an absolute path, not "${body.destination.dir}".`,
      { dir: body.destination.dir },
    );
  }
  let name = body.name;
  let source: Partial<ExportRow>;
  if (hasDataset) {
    if (body.params !== undefined)
      throw new ApiError(
        'INVALID_REQUEST',
        '"params" belongs to provider exports; use "filter" and "columns" for a dataset.',
      );
    const ds = deps.datasets.describe(body.dataset!);
    // Validates columns, ops and values now, so a bad request never gets a 202.
    compileQuery(ds, { columns: body.columns ?? null, filter: body.filter ?? null });
    source = { source_type: 'dataset', dataset: body.dataset! };
    name ??= `${body.dataset} ${iso(now).slice(0, 10)}`;
  } else {
    if (body.columns != null || body.filter != null)
      throw new ApiError(
        'INVALID_REQUEST',
        '"columns" and "filter" belong to dataset exports; a provider export takes "params".',
      );
    if (!deps.providers)
      throw new ApiError('INVALID_REQUEST', 'Provider exports are not available in this build.');
    const p = deps.providers.describe(body.provider!);
    source = { source_type: 'provider', provider_id: body.provider!, provider_type: p.type };
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
    ...source,
    request_json: JSON.stringify(body),
    format: body.format ?? 'csv',
    compression: body.compression ?? 'gzip',
    // zstd's own default is 3 (faster than gzip -6 and smaller); gzip's is 6.
    compression_level: body.compression_level ?? (body.compression === 'zstd' ? 3 : 6),
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

/** A page's end: "created:id" in created order; "n:" + JSON [name, id] in name order. */
export const encodeCursor = (row: Pick<ExportRow, 'created_at' | 'id' | 'name'>, byName = false) =>
  Buffer.from(
    byName ? `n:${JSON.stringify([row.name, row.id])}` : `${row.created_at}:${row.id}`,
  ).toString('base64url');

const malformed = () =>
  new ApiError(
    'INVALID_REQUEST',
    'The cursor is malformed, or was made for another sort; use next_cursor from the previous page with the same sort.',
    { field: 'query.cursor' },
  );

export function decodeCursor(cursor: string, byName = false): ListCursor {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (byName) {
    if (!text.startsWith('n:')) throw malformed();
    let pair: unknown;
    try {
      pair = JSON.parse(text.slice(2));
    } catch {
      throw malformed();
    }
    if (
      !Array.isArray(pair) ||
      typeof pair[0] !== 'string' ||
      typeof pair[1] !== 'string' ||
      !/^[0-9a-f-]{36}$/i.test(pair[1])
    )
      throw malformed();
    return { createdAt: 0, name: pair[0], id: pair[1] };
  }
  const m = /^(\d{1,16}):([0-9a-f-]{36})$/i.exec(text);
  if (!m) throw malformed();
  return { createdAt: Number(m[1]), id: m[2]! };
}

/** "pending,processing" → the statuses, each known (the schema's pattern already checked). */
export function parseStatuses(list: string): ExportStatus[] {
  return [...new Set(list.split(',') as ExportStatus[])];
}
