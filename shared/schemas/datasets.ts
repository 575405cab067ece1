// Dataset schemas (API.md "Datasets").
import { Type, type Static } from 'typebox';
import { DateTime, Nullable } from './common.ts';
import { ExportError, ExportFilter } from './exports.ts';

export const columnTypes = ['integer', 'real', 'text', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof columnTypes)[number];

export const DatasetColumn = Type.Object({
  name: Type.String(),
  // Enum, not a Union of mapped literals: a mapped array gives the Union a static type of never.
  type: Type.Enum(columnTypes),
  /** Has an index of its own (index_columns, or the time column): equality and range filters on it read only the matching rows. */
  indexed: Type.Optional(Type.Boolean()),
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
    index_columns: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        maxItems: 8,
        uniqueItems: true,
        description:
          'Columns to index once the rows are loaded, so exports filtered on them (one customer, one id) read only the matching rows instead of the whole table.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DatasetCreate = Static<typeof DatasetCreate>;

export const DatasetParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });

export const ColumnValuesParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  column: Type.String({ minLength: 1, maxLength: 200 }),
});

export const ColumnValuesQuery = Type.Object(
  {
    prefix: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          "Only values whose text starts with this (ASCII letters compared case-insensitively; a number's or boolean's text form: `12`, `true`).",
      }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Values at most.' }),
    ),
  },
  { additionalProperties: false },
);

export const ColumnValue = Type.Object({
  value: Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
    description: "In the column's JSON type, ready to be sent as a condition's value.",
  }),
  count: Type.Integer({ description: 'Rows holding it among the rows scanned.' }),
});
export type ColumnValue = Static<typeof ColumnValue>;

export const ColumnValues = Type.Object({
  column: Type.String(),
  type: Type.Enum(columnTypes),
  values: Type.Array(ColumnValue, { description: 'Most frequent first, then by value.' }),
  more: Type.Boolean({ description: 'More distinct values matched than `limit`.' }),
  null_count: Type.Integer({ description: 'Rows scanned whose value is null.' }),
  rows_scanned: Type.Integer(),
  row_count: Type.Integer(),
  complete: Type.Boolean({
    description:
      'true when every row was scanned (counts are exact); false when a larger dataset was sampled (200,000 rows in 20 runs spread over the file).',
  }),
});
export type ColumnValues = Static<typeof ColumnValues>;

export const DatasetCountRequest = Type.Object(
  { filter: Type.Optional(Nullable(ExportFilter)) },
  { additionalProperties: false },
);
export type DatasetCountRequest = Static<typeof DatasetCountRequest>;

export const DatasetCount = Type.Object({
  dataset: Type.String(),
  count: Type.Integer({ description: 'Rows the filter matches: what an export would write.' }),
  row_count: Type.Integer({ description: 'Rows in the dataset.' }),
});
export type DatasetCount = Static<typeof DatasetCount>;
