// Export request and export object schemas (API.md "Exports").
import { Type, type Static } from 'typebox';
import { DateTime, Nullable } from './common.ts';
import { exportStatuses, nullOps, textOps, whereOps } from '../vocabulary.ts';

export { exportStatuses, nullOps, textOps, whereOps };
export const ExportStatus = Type.Enum(exportStatuses);
export type ExportStatus = (typeof exportStatuses)[number];

export type WhereOp = (typeof whereOps)[number];

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

export const WhereClause = Type.Object(
  {
    column: Type.String({ minLength: 1, maxLength: 200, description: 'a column of the dataset' }),
    op: Type.Enum(whereOps, {
      description:
        'eq, neq, gt, gte, lt, lte take one value; in, not_in one value or an array; contains, starts_with, ends_with a non-empty string; is_null, is_not_null no value. Comparisons never match null.',
    }),
    value: Type.Optional(
      Type.Union([Scalar, Type.Array(Scalar, { minItems: 1, maxItems: 10000 })], {
        description:
          "Used exactly as sent, never coerced: its JSON type must be the column's (number, string, boolean, ISO 8601 string for timestamps).",
      }),
    ),
    case_insensitive: Type.Optional(
      Type.Boolean({
        description:
          'For contains, starts_with, ends_with: fold ASCII letters before comparing. Default false (case-sensitive).',
      }),
    ),
  },
  { additionalProperties: false, title: 'Condition' },
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

/** Steps of an export's recovery, as recorded in its timeline. */
export const timelineKinds = [
  'link_refreshed',
  'link_refreshed_early',
  'vendor_expired',
  'recreated',
  'recreated_as',
  'gave_up',
] as const;
export type TimelineKind = (typeof timelineKinds)[number];

/** One step in words a user understands ("Link expired at 14:02, fetched a new one"). */
export const TimelineEntry = Type.Object({
  at: DateTime,
  kind: Type.Enum(timelineKinds),
  text: Type.String(),
});
export type TimelineEntry = Static<typeof TimelineEntry>;

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
  /** The export that replaced this one (POST /v1/exports/{id}/recreate), if any. */
  recreated_as: Nullable(Type.String()),
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
  /** Steps beyond status changes: links refreshed, the vendor export re-created, and why. */
  timeline: Type.Array(TimelineEntry),
  created_at: DateTime,
  started_at: Nullable(DateTime),
  completed_at: Nullable(DateTime),
  expires_at: Nullable(DateTime),
  updated_at: DateTime,
});
export type Export = Static<typeof Export>;

const statusList = `(${exportStatuses.join('|')})`;

/** The filters the list and its counts share. */
const listFilters = {
  source: Type.Optional(
    Type.String({
      maxLength: 200,
      description: '"dataset", "provider", a dataset name or a provider id',
    }),
  ),
  schedule_id: Type.Optional(Type.String({ maxLength: 64 })),
  q: Type.Optional(
    Type.String({ maxLength: 200, description: 'search: names containing this, any case' }),
  ),
};

export const exportListSorts = ['created_desc', 'created_asc', 'name_asc', 'name_desc'] as const;

export const ExportListQuery = Type.Object({
  status: Type.Optional(
    Type.String({
      pattern: `^${statusList}(,${statusList}){0,5}$`,
      description:
        'one status, or several comma-separated: "pending,processing" is the queue (queued and running)',
    }),
  ),
  ...listFilters,
  sort: Type.Optional(
    Type.Enum(exportListSorts, {
      description: 'created_desc (newest first, the default), created_asc, name_asc, name_desc',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  cursor: Type.Optional(
    Type.String({ maxLength: 400, description: 'next_cursor of the previous page, same sort' }),
  ),
});
export type ExportListQuery = Static<typeof ExportListQuery>;

/** GET /v1/exports/counts: how many exports are in each status under the list's filters. */
export const ExportCountsQuery = Type.Object(listFilters);
export type ExportCountsQuery = Static<typeof ExportCountsQuery>;
export const ExportCounts = Type.Object({
  total: Type.Integer(),
  by_status: Type.Object(
    Object.fromEntries(exportStatuses.map((st) => [st, Type.Integer()])) as Record<
      ExportStatus,
      ReturnType<typeof Type.Integer>
    >,
  ),
});
export type ExportCounts = { total: number; by_status: Record<ExportStatus, number> };

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
