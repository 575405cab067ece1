// DealMachine: `{ data }` envelope, progress with a stage, several `download_urls` with names and sizes.
import type { GenericConfig } from './generic-config.ts';

export const dealmachineConfig: GenericConfig = {
  // POST /v1/properties/export, or /v1/people/export when params.type is "people".
  create: {
    path: '/v1/properties/export',
    path_by_param: { name: 'type', paths: { people: '/v1/people/export' } },
    omit_params: ['type'],
  },
  poll: { path: '/v1/exports/{id}' },
  root: 'data',
  statuses: {
    pending: 'pending',
    processing: 'processing',
    completed: 'completed',
    failed: 'failed',
    expired: 'expired',
  },
  paths: {
    id: 'export_id',
    status: 'status',
    progress: 'progress',
    stage: 'progress_stage',
    // null once expired: a completed export without links counts as expired (generic.ts).
    files: 'download_urls',
    file: { url: 'url', filename: 'filename', size: 'size' },
    row_count: 'record_count',
    // One date for both: "when the export and download URLs expire".
    expires_at: 'expires_at',
    url_expires_at: 'expires_at',
    error: 'error',
  },
};
