// GET|HEAD /files/{id}/{signature}/{expires}/{filename} (and the older ?expires=&signature= form):
// presigned, no key; Range, ETag, stored bytes.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isUuid } from '../../engine/ids.ts';
import { contentTypeFor, isSafeFilename } from '../../engine/storage/files.ts';
import { httpDate, preconditions, rangeApplies, toHttpSeconds } from '../conditional.ts';
import { sendError } from '../envelope.ts';
import type { RouteApp, RouteDeps } from './index.ts';
import { fileDocs, FileId, FileName, Expires, Signature } from './files-docs.ts';

/** One `bytes=a-b` range (suffix and open forms too); null = none or unsupported; 'bad' = unsatisfiable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'bad' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'bad';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return 'bad';
  return { start, end };
}

export function fileRoutes(app: RouteApp, { engine }: RouteDeps): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const { id, filename, signature, expires } = req.params as {
      id: string;
      filename: string;
      signature?: string;
      expires?: string;
    };
    if (!isUuid(id) || !isSafeFilename(filename)) {
      return sendError(req, reply, 'INVALID_REQUEST', 'The file path is malformed.');
    }
    const rawPath = req.url.split('?')[0] ?? '';
    const query = req.query as { expires?: string; signature?: string };
    // Both link forms sign the same thing: method, `/files/ID/NAME` as sent, and the expiry.
    const pathForm = signature !== undefined;
    const signedPath = pathForm ? rawPath.split('/').toSpliced(3, 2).join('/') : rawPath;
    const verdict = engine.presigner.verify(
      req.method,
      signedPath,
      pathForm ? expires : query.expires,
      pathForm ? signature : query.signature,
      engine.ctx.clock.now(),
    );
    if (verdict === 'SIGNATURE_INVALID')
      return sendError(req, reply, verdict, 'The link signature is missing or wrong.');
    if (verdict === 'SIGNATURE_EXPIRED') {
      return sendError(
        req,
        reply,
        verdict,
        'The link has expired. Read the export again for a fresh link.',
      );
    }
    const file = engine.exports.servedFile(id, filename);
    // Files in a bucket: a presigned link of the bucket's own, valid no longer than this one, so
    // the bytes (and Range, resume) come straight from the store.
    const expiresAt = Number(pathForm ? expires : query.expires);
    const now = engine.ctx.clock.now();
    const secondsLeft = expiresAt - now / 1000;
    const direct = await engine.storage.directLink(
      id,
      filename,
      req.method === 'HEAD' ? 'HEAD' : 'GET',
      secondsLeft,
      now,
    );
    if (direct !== null)
      return reply.code(302).header('location', direct).header('cache-control', 'no-store').send();
    const stored = await stat(file.path).catch(() => null);
    if (!stored)
      return sendError(req, reply, 'EXPORT_EXPIRED', 'This export is gone: its file was removed.');
    const validators = { etag: `"${file.sha256}"`, lastModified: toHttpSeconds(stored.mtimeMs) };
    const { etag } = validators;
    reply
      .header('etag', etag)
      .header('last-modified', httpDate(validators.lastModified))
      .header('accept-ranges', 'bytes')
      .header('cache-control', 'private, no-transform')
      .header('content-type', contentTypeFor(filename))
      .header('content-disposition', `attachment; filename="${filename.replace(/"/g, '')}"`)
      .header('x-content-type-options', 'nosniff');
    const decision = preconditions(req.headers, validators);
    if (decision === 'failed')
      return sendError(
        req,
        reply,
        'PRECONDITION_FAILED',
        'The file is not the one If-Match or If-Unmodified-Since names.',
      );
    if (decision === 'not-modified') return reply.code(304).send();
    const range = rangeApplies(req.headers['if-range'], validators)
      ? parseRange(req.headers.range, file.size)
      : null;
    if (range === 'bad') {
      return reply
        .code(416)
        .header('content-range', `bytes */${file.size}`)
        .type('application/json')
        .send({
          error: {
            code: 'INVALID_REQUEST',
            message: 'The requested range is not satisfiable.',
            details: {},
          },
          meta: { request_id: req.id },
        });
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? file.size - 1;
    reply.header('content-length', String(Math.max(0, end - start + 1)));
    if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${file.size}`);
    if (req.method === 'HEAD' || file.size === 0) return reply.send();
    return reply.send(createReadStream(file.path, { start, end }));
  };

  app.route({
    method: ['GET', 'HEAD'],
    url: '/files/:id/:filename',
    schema: {
      ...fileDocs,
      operationId: 'downloadFile',
      summary: 'A presigned file (query form)',
      params: Type.Object({ id: FileId, filename: FileName }),
      querystring: Type.Object({
        expires: Type.Optional(Expires),
        signature: Type.Optional(Signature),
      }),
    },
    // Files go out as stored: never compressed again (sizes, ranges and checksums stay exact).
    compress: false,
    handler,
  });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/files/:id/:signature/:expires/:filename',
    schema: {
      ...fileDocs,
      operationId: 'downloadFileByPath',
      summary: "A presigned file (path form, ending in the file's name)",
      params: Type.Object({
        id: FileId,
        signature: Signature,
        expires: Expires,
        filename: FileName,
      }),
    },
    // Files go out as stored: never compressed again (sizes, ranges and checksums stay exact).
    compress: false,
    handler,
  });
  // Anything else under /files (extra segments, traversal forms) is malformed, never a lookup.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/files/*',
    schema: { hide: true },
    handler: async (req, reply) =>
      sendError(req, reply, 'INVALID_REQUEST', 'The file path is malformed.'),
  });
}
