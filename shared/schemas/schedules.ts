// Schedule schemas (API.md "Datasets, providers, schedules, events").
import { Type, type Static } from 'typebox';
import { DateTime, Nullable } from './common.ts';
import { DestinationRequest, Export, ExportCreate } from './exports.ts';

const ScheduleFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  request: ExportCreate,
  cron: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  timezone: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
  every_seconds: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 366 * 86400 }))),
  keep_fresh: Type.Optional(Type.Boolean()),
  keep_fresh_margin_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })),
  retain: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 10000 }))),
  destination: Type.Optional(Nullable(DestinationRequest)),
  filename_template: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255 }))),
  enabled: Type.Optional(Type.Boolean()),
  changes_key: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          "The column that matches rows between two runs for their changes; null: the dataset's id column (id, else the first ending in _id, else the first).",
      }),
    ),
  ),
  incremental_column: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Only rows since the last run: a growing id or timestamp column of the local dataset. Each run exports the rows above the highest value the last completed run exported. Changing it starts again from all rows.',
      }),
    ),
  ),
};

/** A high-water mark: the highest id (a number) or time (an ISO 8601 string) a run exported. */
export const HighWaterMark = Nullable(Type.Union([Type.Number(), Type.String()]));

export const ScheduleCreate = Type.Object(
  {
    ...ScheduleFields,
    /** When the first run starts: at once, or at the first slot of the timetable (the default). */
    first_run: Type.Optional(Type.Union([Type.Literal('now'), Type.Literal('after_interval')])),
  },
  { additionalProperties: false },
);
export type ScheduleCreate = Static<typeof ScheduleCreate>;

export const ScheduleUpdate = Type.Partial(Type.Object(ScheduleFields), {
  additionalProperties: false,
});
export type ScheduleUpdate = Static<typeof ScheduleUpdate>;

export const Schedule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  request: Type.Record(Type.String(), Type.Unknown()),
  cron: Nullable(Type.String()),
  timezone: Nullable(Type.String()),
  every_seconds: Nullable(Type.Integer()),
  keep_fresh: Type.Boolean(),
  keep_fresh_margin_seconds: Type.Integer(),
  retain: Nullable(Type.Integer()),
  destination: Nullable(Type.Record(Type.String(), Type.Unknown())),
  filename_template: Nullable(Type.String()),
  enabled: Type.Boolean(),
  changes_key: Nullable(Type.String()),
  incremental_column: Nullable(Type.String()),
  /** The next incremental run exports rows whose incremental_column is above this. */
  high_water_mark: HighWaterMark,
  next_run_at: Nullable(DateTime),
  last_run_at: Nullable(DateTime),
  latest_export: Nullable(Export),
  last_error: Nullable(Type.Object({ code: Type.String(), message: Type.String(), at: DateTime })),
  consecutive_failures: Type.Integer(),
  running_export_id: Nullable(Type.String()),
  created_at: DateTime,
  updated_at: DateTime,
});
export type Schedule = Static<typeof Schedule>;

/** GET /v1/schedules/preview: the next runs of a timetable, for the UI (an extension to API.md). */
export const SchedulePreviewQuery = Type.Object(
  {
    cron: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    every_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 * 86400 })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 5 })),
  },
  { additionalProperties: false },
);
export type SchedulePreviewQuery = Static<typeof SchedulePreviewQuery>;

export const SchedulePreview = Type.Object({
  timezone: Type.String(),
  description: Type.String(),
  runs: Type.Array(
    Type.Object({
      at: DateTime,
      /** The moment in the schedule's zone, in words: "Sun, Mar 8, 2026, 3:00 AM EDT". */
      local: Type.String(),
    }),
  ),
});
export type SchedulePreview = Static<typeof SchedulePreview>;

export const RunTrigger = Type.Union(
  [
    Type.Literal('timetable'),
    Type.Literal('keep_fresh'),
    Type.Literal('run_now'),
    Type.Literal('catch_up'),
    Type.Literal('retry'),
  ],
  { title: 'ScheduleRunTrigger' },
);

export const RunChanges = Type.Object(
  {
    added: Nullable(Type.Integer()),
    removed: Nullable(Type.Integer()),
    changed: Nullable(Type.Integer()),
    key: Type.String(),
    file: Nullable(Type.String()),
    /** The run compared with, or null when there was nothing to compare with. */
    since: Nullable(Type.Integer()),
    /** Why there are no counts (the previous run's file was removed), else null. */
    reason: Nullable(Type.String()),
  },
  { title: 'ScheduleRunChanges' },
);

/** One run of a schedule, kept in its history after its files are pruned. */
export const ScheduleRun = Type.Object(
  {
    number: Type.Integer(),
    trigger: RunTrigger,
    status: Type.String(),
    export_id: Nullable(Type.String()),
    started_at: DateTime,
    ended_at: Nullable(DateTime),
    rows: Nullable(Type.Integer()),
    bytes: Nullable(Type.Integer()),
    saved_path: Nullable(Type.String()),
    stable_path: Nullable(Type.String()),
    error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
    file_removed: Nullable(Type.String()),
    changes: Nullable(RunChanges),
    /** Incremental runs: the mark the run exported rows above, and the one it reached. */
    since_mark: HighWaterMark,
    high_water_mark: HighWaterMark,
  },
  { title: 'ScheduleRun' },
);
export type ScheduleRun = Static<typeof ScheduleRun>;

export const ScheduleRunsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$' })),
  },
  { additionalProperties: false },
);
export type ScheduleRunsQuery = Static<typeof ScheduleRunsQuery>;

/** The event schedule.completed: a run completed, its changes (or mark) known, in words too. */
export interface ScheduleRunCompleted {
  readonly schedule: Schedule;
  readonly run: ScheduleRun;
  /** "1,204 rows; +12 −3 ~5 since #41" */
  readonly summary: string;
}
