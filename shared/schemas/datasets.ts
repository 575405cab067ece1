// Dataset schemas (API.md "Datasets").
import { Type, type Static } from 'typebox';
import { DateTime, Nullable } from './common.ts';
import { ExportError } from './exports.ts';

export const columnTypes = ['integer', 'real', 'text', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof columnTypes)[number];

export const DatasetColumn = Type.Object({
  name: Type.String(),
  // Enum, not a Union of mapped literals: a mapped array gives the Union a static type of never.
  type: Type.Enum(columnTypes),
});
export type DatasetColumn = Static<typeof DatasetColumn>;

export const datasetStatuses = ['importing', 'ready', 'failed'] as const;
export type DatasetStatus = (typeof datasetStatuses)[number];

export const Dataset = Type.Object({
  name: Type.String(),
  status: Type.Enum(datasetStatuses),
  columns: Type.Array(DatasetColumn),
  time_column: Nullable(Type.String()),
  row_count: Nullable(Type.Integer()),
  progress_pct: Type.Number(),
  bytes_done: Type.Integer(),
  bytes_total: Nullable(Type.Integer()),
  source: Nullable(Type.String()),
  error: Nullable(ExportError),
  created_at: DateTime,
  updated_at: DateTime,
});
export type Dataset = Static<typeof Dataset>;

export const datasetNamePattern = '^[A-Za-z][A-Za-z0-9_-]{0,62}$';

export const DatasetCreate = Type.Object(
  {
    name: Type.String({ pattern: datasetNamePattern }),
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    export_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    time_column: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type DatasetCreate = Static<typeof DatasetCreate>;

export const DatasetParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
