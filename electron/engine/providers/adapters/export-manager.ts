// Another Export Manager's API: `{ data }` envelope, files listed with sizes, row counts and sha256.
import type { GenericConfig } from './generic-config.ts';

export const exportManagerConfig: GenericConfig = {
  create: { path: '/v1/exports' },
  poll: { path: '/v1/exports/{id}' },
  // 302 to a fresh presigned link on every call, so links never go stale here.
  download: { path: '/v1/exports/{id}/download?file={index}' },
  test: { path: '/v1/exports?limit=1' },
  root: 'data',
  statuses: {
    pending: 'pending',
    processing: 'processing',
    completed: 'completed',
    failed: 'failed',
    canceled: 'failed',
    expired: 'expired',
  },
  paths: {
    id: 'id',
    status: 'status',
    progress: 'progress_pct',
    stage: 'progress_stage',
    files: 'files',
    file: { filename: 'filename', size: 'byte_size', row_count: 'row_count', sha256: 'sha256' },
    row_count: 'row_count',
    expires_at: 'expires_at',
    error: 'error',
  },
};
