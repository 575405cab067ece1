// The column that matches rows between two runs when the user has not chosen one.

/** `id`, else the first column ending in `_id`, else the first. */
export function defaultKey(columns: readonly string[]): string {
  return (
    columns.find((c) => c.toLowerCase() === 'id') ??
    columns.find((c) => c.toLowerCase().endsWith('_id')) ??
    columns[0] ??
    'id'
  );
}
