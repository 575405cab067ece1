// Responses the OpenAPI document would otherwise get wrong: 204 and 302 carry no body, and every
// operation can answer in the error envelope. Documentation only where noted (see errorResponses).
import type { FastifySchema } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../../shared/schemas/common.ts';

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

const errorResponse = (description: string) => ({ ...ErrorBody, description });

/**
 * @fastify/swagger `transform`: adds the error envelope as the 4XX and 5XX answers of every
 * documented operation. It changes the document only: route validation and serialization never
 * see it (an error body is never squeezed through a schema that could drop its details).
 */
export function withErrorResponses({ schema, url }: { schema: FastifySchema; url: string }): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url };
  const response = (schema.response as Record<string, unknown> | undefined) ?? {};
  return {
    url,
    schema: {
      ...schema,
      response: {
        ...response,
        '4XX': errorResponse(
          'The request was refused: INVALID_REQUEST, UNAUTHORIZED, NOT_FOUND, a conflict with the state of the resource, and the others of API.md, in the error envelope.',
        ),
        '5XX': errorResponse(
          'Something failed on our side (INTERNAL) or the disk is full (DISK_FULL).',
        ),
      },
    },
  };
}
