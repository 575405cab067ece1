// Provider schemas (API.md "Datasets, providers, schedules, events").
import { Type, type Static } from 'typebox';
import { DateTime, Nullable } from './common.ts';
import { providerTypes } from '../vocabulary.ts';

export { providerTypes };
export type ProviderType = (typeof providerTypes)[number];
export const ProviderTypeSchema = Type.Enum(providerTypes);

const Options = Type.Record(Type.String(), Type.Unknown());

export const Provider = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: ProviderTypeSchema,
  base_url: Type.String(),
  options: Options,
  has_credential: Type.Boolean(),
  max_concurrent_exports: Type.Integer(),
  requests_per_second: Type.Number(),
  created_at: DateTime,
  updated_at: DateTime,
});
export type Provider = Static<typeof Provider>;

export const ProviderCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: ProviderTypeSchema,
    base_url: Type.String({ minLength: 1, maxLength: 2048 }),
    credential: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
    options: Type.Optional(Options),
    max_concurrent_exports: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    requests_per_second: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type ProviderCreate = Static<typeof ProviderCreate>;

export const ProviderUpdate = Type.Partial(ProviderCreate, { additionalProperties: false });
export type ProviderUpdate = Static<typeof ProviderUpdate>;

export const ProviderTestResult = Type.Object({
  ok: Type.Boolean(),
  status: Nullable(Type.Integer()),
  message: Type.String(),
  latency_ms: Type.Number(),
});
export type ProviderTestResult = Static<typeof ProviderTestResult>;
