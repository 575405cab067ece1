// Dynamic (app.dynamicauth.com): exports live under an environment (options.environment_id), camelCase.
import type { GenericConfig } from './generic-config.ts';

export const dynamicConfig: GenericConfig = {
  create: { path: '/api/v0/environments/{options.environment_id}/exports' },
  poll: { path: '/api/v0/environments/{options.environment_id}/exports/{id}' },
  root: '',
  statuses: {
    pending: 'pending',
    started: 'processing',
    processing: 'processing',
    completed: 'completed',
    failed: 'failed',
    expired: 'expired',
  },
  paths: {
    id: 'id',
    status: 'status',
    url: 'downloadUrl',
    // A string: "the error message and stack trace received when attempting to process the export".
    error: 'error',
  },
};
