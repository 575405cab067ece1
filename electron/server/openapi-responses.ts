// Responses the OpenAPI document would otherwise get wrong: 204 and 302 carry no body, and every
// operation lists the error codes it can answer, each status in the error envelope. The error
// answers are documentation only: route serialization never sees them (an error body is never
// squeezed through a schema that could drop its details).
import type { FastifySchema } from 'fastify';
import { Type } from 'typebox';
import { errorStatus, type ApiErrorCode } from '../../shared/errors.ts';

declare module 'fastify' {
  interface FastifySchema {
    /** The error codes this route answers beyond the ones every route of its kind can. */
    'x-errors'?: readonly ApiErrorCode[];
  }
}

/** `response` entry for a route that answers 204 with no body. */
export const noContent = (description: string) => ({
  204: Type.Null({ description }),
});

/** `response` entry for a route that answers 302 with a Location header and no body. */
export const redirectTo = (description: string) => ({
  302: Type.Null({
    description,
    headers: { location: Type.String({ description: 'A presigned link to the file.' }) },
  }),
});

/** What each code means, for the description of the status that carries it. */
const codeMeaning: Record<ApiErrorCode, string> = {
  INVALID_REQUEST: 'the request does not match the schema or names something malformed',
  UNAUTHORIZED: 'the API key (or session cookie) is missing or wrong',
  FORBIDDEN_HOST: 'the Host header is not this server on loopback',
  FORBIDDEN_ORIGIN: 'a browser Origin other than our own',
  SIGNATURE_INVALID: 'the link signature is missing or wrong',
  SIGNATURE_EXPIRED: 'the link is past its expiry; read the export again for a fresh one',
  NOT_FOUND: 'no such resource',
  METHOD_NOT_ALLOWED: 'this method is not served here',
  EXPORT_NOT_READY: 'the export is not completed',
  EXPORT_FAILED: 'the export failed and has no file',
  IDEMPOTENCY_IN_PROGRESS: 'the first request with this Idempotency-Key is still being answered',
  CONFLICT: 'the state of the resource does not allow it',
  EXPORT_EXPIRED: 'the export expired or was deleted, with its files',
  PRECONDITION_FAILED: 'If-Match or If-Unmodified-Since does not hold: the file changed',
  PAYLOAD_TOO_LARGE: 'the body is over 1 MB',
  UNSUPPORTED_MEDIA_TYPE: 'the body is not application/json',
  IDEMPOTENCY_KEY_REUSED: 'this Idempotency-Key came with another body in the last 24 h',
  RATE_LIMITED: 'too many requests',
  INTERNAL: 'something failed on our side (never with a stack trace)',
  PROVIDER_ERROR: 'the vendor failed',
  SERVICE_UNAVAILABLE: 'the server is shutting down',
  DISK_FULL: 'the disk is full',
};

/** The codes a route can answer given its kind: guards, auth, validation, shutdown. */
export function errorCodesOf(schema: FastifySchema, url: string): ApiErrorCode[] {
  const codes = new Set<ApiErrorCode>(['FORBIDDEN_HOST', 'FORBIDDEN_ORIGIN']);
  const isPublic = Array.isArray(schema.security) && schema.security.length === 0;
  if (url.startsWith('/v1/') && !isPublic) codes.add('UNAUTHORIZED');
  if (schema.body) {
    for (const c of ['INVALID_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'] as const)
      codes.add(c);
  }
  if (schema.querystring || schema.params || schema.headers) codes.add('INVALID_REQUEST');
  for (const c of schema['x-errors'] ?? []) codes.add(c);
  codes.add('INTERNAL');
  codes.add('SERVICE_UNAVAILABLE');
  return [...codes];
}

/** OpenAPI responses, one per status, each in the error envelope and naming its codes. */
export function errorResponses(codes: readonly ApiErrorCode[]): Record<string, object> {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const c of codes) byStatus.set(errorStatus[c], [...(byStatus.get(errorStatus[c]) ?? []), c]);
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, cs]) => [
        String(status),
        {
          description: cs.map((c) => `${c}: ${codeMeaning[c]}.`).join(' '),
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      ]),
  );
}

/**
 * @fastify/swagger `transform`: records every error code a documented route can answer in its
 * `x-errors`, which the document's final pass (openapi-document.ts) turns into responses.
 */
export function withErrorCodes({ schema, url }: { schema: FastifySchema; url: string }): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema || schema.hide) return { schema, url };
  return { url, schema: { ...schema, 'x-errors': errorCodesOf(schema, url) } };
}
