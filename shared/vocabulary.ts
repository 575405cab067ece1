// The API's word lists as plain constants: the renderer imports these without bundling typebox.

export const exportStatuses = [
  'pending',
  'processing',
  'completed',
  'failed',
  'canceled',
  'expired',
] as const;

export const whereOps = ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;

export const providerTypes = [
  'datadriver',
  'hookbridge',
  'dealmachine',
  'dynamic',
  'export-manager',
  'generic',
] as const;
