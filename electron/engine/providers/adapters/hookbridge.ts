// HookBridge: `{ data, meta }` envelope; the file comes from GET /v1/exports/{id}/download (302 to S3).
import type { GenericConfig } from './generic-config.ts';

export const hookbridgeConfig: GenericConfig = {
  create: { path: '/v1/exports' },
  poll: { path: '/v1/exports/{id}' },
  // Authenticated; answers 302 to a presigned URL, 409 EXPORT_NOT_READY, or 410 EXPORT_EXPIRED.
  download: { path: '/v1/exports/{id}/download' },
  root: 'data',
  statuses: {
    pending: 'pending',
    processing: 'processing',
    completed: 'completed',
    failed: 'failed',
    expired: 'expired',
  },
  paths: {
    id: 'id',
    status: 'status',
    size: 'file_size_bytes',
    row_count: 'row_count',
    // HookBridge's expires_at is when the download link expires; the status turns `expired` then.
    url_expires_at: 'expires_at',
    error: 'error',
  },
};
