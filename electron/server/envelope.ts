// The response envelope of API.md and the one place errors become HTTP answers.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorStatus, isApiErrorCode, type ApiErrorCode } from '../../shared/errors.ts';
import type { Logger } from '../engine/logger.ts';

export const ok = <T>(req: FastifyRequest, data: T) => ({ data, meta: { request_id: req.id } });

export const list = <T>(req: FastifyRequest, data: T[], nextCursor: string | null) => ({
  data,
  meta: { request_id: req.id, next_cursor: nextCursor },
});

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  code: ApiErrorCode,
  message: string,
  details: Record<string, unknown> = {},
) {
  return reply
    .code(errorStatus[code])
    .header('content-type', 'application/json; charset=utf-8')
    .send({ error: { code, message, details }, meta: { request_id: req.id } });
}

/** "body" + "/filter/where/0" + {missingProperty: "op"} -> "filter.where[0].op" ("query.limit"). */
function schemaField(where: string, pointer: string, params: unknown): string {
  const p = (params ?? {}) as { missingProperty?: unknown; additionalProperty?: unknown };
  const parts = pointer.split('/').filter(Boolean);
  const last = p.missingProperty ?? p.additionalProperty;
  if (typeof last === 'string') parts.push(last);
  const path = parts.reduce(
    (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    '',
  );
  if (where === 'body') return path || 'body';
  const part = where === 'querystring' ? 'query' : where;
  return path ? `${part}.${path}` : part;
}

/** Maps fastify's own error codes onto ours, so every failure speaks the envelope. */
function fromFastify(err: FastifyError): ApiError | null {
  if (err.validation) {
    const first = err.validation[0];
    const where = err.validationContext ?? 'request';
    const path = first?.instancePath ? `${where}${first.instancePath.replaceAll('/', '.')}` : where;
    const extra =
      first?.keyword === 'additionalProperties'
        ? ` (unknown field "${String((first.params as { additionalProperty?: string }).additionalProperty)}")`
        : first?.keyword === 'enum'
          ? ` (got ${JSON.stringify((first as { data?: unknown }).data) ?? 'nothing'}; one of ${(
              (first.params as { allowedValues?: unknown[] }).allowedValues ?? []
            ).join(', ')})`
          : '';
    return new ApiError('INVALID_REQUEST', `${path} ${first?.message ?? 'is invalid'}${extra}`, {
      field: schemaField(where, first?.instancePath ?? '', first?.params),
      errors: err.validation.map((v) => ({
        path: v.instancePath,
        message: v.message,
        params: v.params,
      })),
    });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send request bodies as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('INVALID_REQUEST', 'The JSON body is empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('INVALID_REQUEST', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('INVALID_REQUEST', 'Content-Length does not match the body.');
    default:
      break;
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return new ApiError('INVALID_REQUEST', 'The request is malformed.');
  }
  if (err.statusCode === 413)
    return new ApiError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
  if (err.statusCode === 415)
    return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send request bodies as application/json.');
  return null;
}

export function installErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const apiErr = err instanceof ApiError ? err : fromFastify(err);
    if (apiErr) return sendError(req, reply, apiErr.code, apiErr.message, apiErr.details);
    // A foreign error with a code we know (e.g. thrown by a module) keeps its code.
    const code = (err as { code?: string }).code;
    if (code && isApiErrorCode(code) && code !== 'INTERNAL') {
      return sendError(req, reply, code, err.message);
    }
    logger.error('request failed', {
      method: req.method,
      url: req.url,
      request_id: req.id,
      error: err.stack ?? err.message,
    });
    return sendError(
      req,
      reply,
      'INTERNAL',
      'Something went wrong on our side. The request id helps find it in the log.',
    );
  });
}
