// Schema helpers shared by every resource: nullable fields, the envelope, the error body.
import { Type, type TSchema } from 'typebox';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

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
