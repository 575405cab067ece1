// Schema helpers shared by every resource: nullable fields, the envelope, the error body.
import { Type, type Static, type TSchema } from 'typebox';

const primitive = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * `T | null`. A primitive becomes `type: [t, 'null']` rather than `anyOf`: the response serializer
 * then writes it directly instead of running a validator per field to pick a branch (a 3x cost on
 * GET /v1/exports/{id} under load). Objects and unions keep `anyOf`.
 */
export const Nullable = <T extends TSchema>(schema: T) => {
  const { type, ...rest } = schema as { type?: unknown; '~kind'?: unknown } & Record<
    string,
    unknown
  >;
  delete rest['~kind'];
  return typeof type === 'string' && primitive.has(type)
    ? Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] })
    : Type.Unsafe<Static<T> | null>({ anyOf: [schema, Type.Null()] });
};

export const DateTime = Type.String({ format: 'date-time' });

export const Meta = Type.Object({
  request_id: Type.String(),
  next_cursor: Type.Optional(Nullable(Type.String())),
});

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
  meta: Meta,
});

export const Envelope = <T extends TSchema>(data: T) => Type.Object({ data, meta: Meta });

export const ListEnvelope = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), meta: Meta });

/** UUIDv7-shaped ids (any UUID is accepted; ours are v7). */
export const Id = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
});

export const IdParams = Type.Object({ id: Id });
