// Health, API keys and settings schemas.
import { Type, type Static } from 'typebox';
import { DateTime, Nullable } from './common.ts';

export const StorageHealth = Type.Object({
  /** Where completed export files live: the data folder, or an S3-compatible bucket. */
  kind: Type.Union([Type.Literal('local'), Type.Literal('s3')]),
  /** False when the store cannot be reached right now (downloads and new exports fail meanwhile). */
  ok: Type.Boolean(),
  message: Type.Optional(Type.String()),
});
// 'starting': serve has bound its port and is still opening the engine (only other requests wait);
export const StoreHealth = Type.Object({
  /** Where the engine keeps its jobs: its own SQLite file, or a PostgreSQL database a team shares. */
  kind: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  /** False when the store does not answer right now. */
  ok: Type.Boolean(),
  message: Type.Optional(Type.String()),
});
export type StoreHealth = Static<typeof StoreHealth>;

// storage and store are reported once the engine is open.
export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('starting')]),
  version: Type.String(),
  storage: Type.Optional(StorageHealth),
  store: Type.Optional(StoreHealth),
});
export type Health = Static<typeof Health>;

export const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  created_at: DateTime,
  last_used_at: Nullable(DateTime),
  /** Only in the answer to the create call: the key itself, shown once. */
  key: Type.Optional(Type.String()),
});
export type ApiKey = Static<typeof ApiKey>;

export const ApiKeyCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const Settings = Type.Object({
  port: Type.Integer(),
  data_dir: Type.String(),
  url_ttl_seconds: Type.Integer(),
  retention_seconds: Type.Integer(),
  default_destination: Nullable(Type.String()),
  notifications: Type.Boolean(),
  theme: Type.Union([Type.Literal('light'), Type.Literal('dark'), Type.Literal('system')]),
  concurrency: Type.Integer(),
  max_rows: Type.Integer(),
  version: Type.String(),
});
export type Settings = Static<typeof Settings>;

export const SettingsUpdate = Type.Object(
  {
    url_ttl_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86400 })),
    retention_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 * 86400 })),
    default_destination: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 4096 }))),
    notifications: Type.Optional(Type.Boolean()),
    theme: Type.Optional(
      Type.Union([Type.Literal('light'), Type.Literal('dark'), Type.Literal('system')]),
    ),
  },
  { additionalProperties: false },
);
export type SettingsUpdate = Static<typeof SettingsUpdate>;
