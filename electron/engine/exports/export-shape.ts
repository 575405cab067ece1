// The API shape of an export row with its files, history and timeline.
import type { Export, ExportError } from '../../../shared/schemas/exports.ts';
import { iso, isoOrNull } from '../clock.ts';
import type { ExportRow } from './exports-repo.ts';
import { storedRequest } from './stored-request.ts';

const parse = <T>(json: string | null): T | null =>
  json === null ? null : (JSON.parse(json) as T);

export function exportShape(
  row: ExportRow,
  d: Pick<Export, 'files' | 'history' | 'timeline'>,
): Export {
  const source: Export['source'] =
    row.source_type === 'dataset'
      ? { type: 'dataset', dataset: row.dataset ?? '' }
      : {
          type: 'provider',
          provider_id: row.provider_id ?? '',
          provider_type: row.provider_type ?? '',
          remote_id: row.remote_id,
          remote_status: row.remote_status,
        };
  const req = storedRequest(row);
  const dest = req.destination;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    source,
    format: row.format,
    compression: row.compression,
    compression_level: row.compression_level,
    columns: req.columns ?? null,
    filter: req.filter ?? null,
    params: req.params ?? null,
    progress_pct: row.progress_pct,
    progress_stage: row.progress_stage,
    rows_done: row.rows_done,
    bytes_done: row.bytes_done,
    bytes_total: row.bytes_total,
    row_count: row.row_count,
    byte_size: row.byte_size,
    files: d.files.map((f) => ({ ...f })),
    download_url: null,
    url_expires_at: null,
    error: parse<ExportError>(row.error_json),
    recreated_from: row.recreated_from,
    recreated_as: row.recreated_as ?? null,
    schedule_id: row.schedule_id,
    destination: dest
      ? {
          dir: dest.dir,
          decompress: dest.decompress ?? false,
          ...(dest.filename ? { filename: dest.filename } : {}),
          saved_paths: parse<string[]>(row.saved_paths_json) ?? [],
        }
      : null,
    history: d.history.map((h) => ({ ...h })),
    timeline: d.timeline.map((t) => ({ ...t })),
    created_at: iso(row.created_at),
    started_at: isoOrNull(row.started_at),
    completed_at: isoOrNull(row.completed_at),
    expires_at: isoOrNull(row.expires_at),
    updated_at: iso(row.updated_at),
  };
}
