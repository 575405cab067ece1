// The API's word lists as plain constants: the renderer imports these without bundling typebox.

export const exportStatuses = [
  'pending',
  'processing',
  'completed',
  'failed',
  'canceled',
  'expired',
] as const;

export const whereOps = [
  'eq',
  'neq',
  'in',
  'not_in',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'starts_with',
  'ends_with',
  'is_null',
  'is_not_null',
] as const;

/** The ops that take no value. */
export const nullOps = ['is_null', 'is_not_null'] as const;
/** The ops on text that take `case_insensitive`. */
export const textOps = ['contains', 'starts_with', 'ends_with'] as const;

export const providerTypes = [
  'datadriver',
  'hookbridge',
  'dealmachine',
  'dynamic',
  'export-manager',
  'generic',
] as const;
