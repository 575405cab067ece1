// One stored export row for tests that write the job store directly: a pending local export of
// `leads`, created at `created_at` (default now); pass only the fields a test is about.
import type { ExportRow } from '../../electron/engine/exports/exports-repo.ts';
import { newId } from '../../electron/engine/ids.ts';

export function exportRow(overrides: Partial<ExportRow> = {}): ExportRow {
  const at = overrides.created_at ?? Date.now();
  return {
    id: newId(at),
    name: 'an export',
    status: 'pending',
    source_type: 'dataset',
    dataset: 'leads',
    provider_id: null,
    provider_type: null,
    remote_id: null,
    remote_status: null,
    request_json: '{"dataset":"leads"}',
    format: 'csv',
    compression: 'gzip',
    compression_level: 6,
    progress_pct: 0,
    progress_stage: null,
    rows_done: 0,
    bytes_done: 0,
    bytes_total: null,
    row_count: null,
    byte_size: null,
    error_json: null,
    recreated_from: null,
    schedule_id: null,
    saved_paths_json: null,
    attempts: 0,
    lease_owner: null,
    lease_expires_at: null,
    created_at: at,
    started_at: null,
    completed_at: null,
    expires_at: null,
    updated_at: at,
    ...overrides,
  };
}
