// Export request and export object schemas (API.md "Exports").
import { Type, type Static } from 'typebox';
import { DateTime, Nullable } from './common.ts';
import { exportStatuses, whereOps } from '../vocabulary.ts';

export { exportStatuses, whereOps };
export const ExportStatus = Type.Enum(exportStatuses);
export type ExportStatus = (typeof exportStatuses)[number];

export type WhereOp = (typeof whereOps)[number];

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

export const WhereClause = Type.Object(
  {
    column: Type.String({ minLength: 1, maxLength: 200 }),
    // Checked against whereOps by the engine so the error names the unknown op.
    op: Type.String({ minLength: 1, maxLength: 20 }),
    value: Type.Union([Scalar, Type.Array(Scalar, { maxItems: 10000 })]),
  },
  { additionalProperties: false },
);
export type WhereClause = Static<typeof WhereClause>;

export const ExportFilter = Type.Object(
  {
    start_time: Type.Optional(DateTime),
    end_time: Type.Optional(DateTime),
    where: Type.Optional(Type.Array(WhereClause, { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type ExportFilter = Static<typeof ExportFilter>;

export const DestinationRequest = Type.Object(
  {
    dir: Type.String({ minLength: 1, maxLength: 4096 }),
    decompress: Type.Optional(Type.Boolean()),
    /** A file-name template; schedules fill it, plain exports may set it too. */
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
);
export type DestinationRequest = Static<typeof DestinationRequest>;

export const formats = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof formats)[number];
export const compressions = ['gzip', 'zstd', 'none'] as const;
export type ExportCompression = (typeof compressions)[number];

/** POST /v1/exports: a dataset export or a provider export (exactly one of the two). */
export const ExportCreate = Type.Object(
  {
    dataset: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    provider: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    format: Type.Optional(Type.Enum(formats)),
    compression: Type.Optional(Type.Enum(compressions)),
    compression_level: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
    columns: Type.Optional(
      Nullable(
        Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 1000 }),
      ),
    ),
    filter: Type.Optional(Nullable(ExportFilter)),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    destination: Type.Optional(Nullable(DestinationRequest)),
  },
  { additionalProperties: false },
);
export type ExportCreate = Static<typeof ExportCreate>;

export const ExportSource = Type.Union([
  Type.Object({ type: Type.Literal('dataset'), dataset: Type.String() }),
  Type.Object({
    type: Type.Literal('provider'),
    provider_id: Type.String(),
    provider_type: Type.String(),
    remote_id: Nullable(Type.String()),
    remote_status: Nullable(Type.String()),
  }),
]);
export type ExportSource = Static<typeof ExportSource>;

export const ExportFile = Type.Object({
  filename: Type.String(),
  byte_size: Type.Integer(),
  sha256: Type.String(),
  row_count: Nullable(Type.Integer()),
});
export type ExportFile = Static<typeof ExportFile>;

export const ExportError = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type ExportError = Static<typeof ExportError>;

export const StatusChange = Type.Object({ status: ExportStatus, at: DateTime });

export const Export = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: ExportStatus,
  source: ExportSource,
  format: Type.String(),
  compression: Type.String(),
  compression_level: Type.Integer(),
  columns: Nullable(Type.Array(Type.String())),
  filter: Nullable(Type.Record(Type.String(), Type.Unknown())),
  params: Nullable(Type.Record(Type.String(), Type.Unknown())),
  progress_pct: Type.Number(),
  progress_stage: Nullable(Type.String()),
  rows_done: Type.Integer(),
  bytes_done: Type.Integer(),
  bytes_total: Nullable(Type.Integer()),
  row_count: Nullable(Type.Integer()),
  byte_size: Nullable(Type.Integer()),
  files: Type.Array(ExportFile),
  download_url: Nullable(Type.String()),
  url_expires_at: Nullable(DateTime),
  error: Nullable(ExportError),
  recreated_from: Nullable(Type.String()),
  schedule_id: Nullable(Type.String()),
  destination: Nullable(
    Type.Object({
      dir: Type.String(),
      decompress: Type.Boolean(),
      filename: Type.Optional(Type.String()),
      saved_paths: Type.Array(Type.String()),
    }),
  ),
  history: Type.Array(StatusChange),
  created_at: DateTime,
  started_at: Nullable(DateTime),
  completed_at: Nullable(DateTime),
  expires_at: Nullable(DateTime),
  updated_at: DateTime,
});
export type Export = Static<typeof Export>;

export const ExportListQuery = Type.Object({
  status: Type.Optional(ExportStatus),
  source: Type.Optional(
    Type.String({
      maxLength: 200,
      description: '"dataset", "provider", a dataset name or a provider id',
    }),
  ),
  schedule_id: Type.Optional(Type.String({ maxLength: 64 })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'search by name' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type ExportListQuery = Static<typeof ExportListQuery>;

/** POST /v1/exports/{id}/save (an extension to API.md): a copy in a folder of the user's. */
export const ExportSave = Type.Object(
  {
    dir: Type.String({ minLength: 1, maxLength: 4096, description: 'an absolute folder path' }),
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    decompress: Type.Optional(Type.Boolean()),
    file: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type ExportSave = Static<typeof ExportSave>;
export const ExportSaved = Type.Object({ path: Type.String() });

export const DownloadQuery = Type.Object({
  file: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
});
