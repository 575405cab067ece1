// DataDriver (api.trydatadriver.com): flat JSON, `running`, one presigned `download_url`, 410 when expired.
import type { GenericConfig } from './generic-config.ts';

export const datadriverConfig: GenericConfig = {
  create: { path: '/v1/exports' },
  poll: { path: '/v1/exports/{id}' },
  root: '',
  statuses: {
    queued: 'pending',
    pending: 'pending',
    running: 'processing',
    completed: 'completed',
    failed: 'failed',
    expired: 'expired',
  },
  // GET answers 410 GONE { error: { code: "EXPORT_EXPIRED" } } once the export has expired.
  expired_http_statuses: [410],
  paths: {
    id: 'export_id',
    status: 'status',
    progress: 'progress_pct',
    url: 'download_url',
    size: 'byte_size',
    row_count: 'row_count',
    url_expires_at: 'url_expires_at',
    error: 'error',
  },
};
