// Builds the fastify app (never listens): guards, auth, envelope, OpenAPI, routes, renderer.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import fastifyCompress from '@fastify/compress';
import fastifySwagger, { type SwaggerTransformObject } from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Engine } from '../engine/engine.ts';
import { authGuard } from './auth.ts';
import { installErrorHandling, sendError } from './envelope.ts';
import { originGuard } from './guards.ts';
import { finishDocument } from './openapi-document.ts';
import { withErrorCodes } from './openapi-responses.ts';
import { registerRoutes } from './routes/index.ts';
import { registerStatic } from './static.ts';
import { exactValidatorCompiler } from './validation.ts';
import { durableReplies } from './durable-replies.ts';

export interface BuildOptions {
  readonly engine: Engine;
  /** The port the server listens on, for the Host and Origin checks. */
  port(): number;
  /** The built renderer (out/renderer); null serves a page saying how to build it. */
  readonly staticDir: string | null;
  readonly extraOrigins?: readonly string[];
  /** A team engine's public address (serve --public-url): answered besides loopback. */
  readonly publicUrl?: string | undefined;
  /** SSE heartbeat period, ms. */
  readonly heartbeatMs?: number;
  readonly bodyLimit?: number;
  /** Serve on this server (already listening) instead of one fastify creates and binds. */
  readonly serverFactory?: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server;
}

// A random prefix per process and a counter: unique, and no system call per request.
const reqPrefix = 'req_' + randomBytes(6).toString('base64url');
let reqCounter = 0;
export const genRequestId = (): string => reqPrefix + (++reqCounter).toString(36);

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** `application/json` with or without parameters: the only answers compressed on request. */
const isJsonType = (contentType: string): boolean =>
  /^application\/json\s*(;|$)/i.test(contentType);

const expectsContinue = (expect: string | undefined): boolean =>
  expect !== undefined && expect.toLowerCase() === '100-continue';

/** Sends `100 Continue` (true), or refuses a declared body over the limit with 413 (false). */
function grantContinue(req: FastifyRequest, reply: FastifyReply, bodyLimit: number): boolean {
  if (Number(req.headers['content-length'] ?? 0) > bodyLimit) {
    // The body will not be read: close the connection rather than wait for it.
    reply.header('connection', 'close');
    sendError(req, reply, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
    return false;
  }
  // Under inject() (tests) there is no socket and nothing to grant.
  if (typeof reply.raw.writeContinue === 'function' && reply.raw.socket) reply.raw.writeContinue();
  return true;
}

/** A compressed request body is refused by name (415), before it is read, not misread as bad JSON. */
function refusesBodyEncoding(req: FastifyRequest, reply: FastifyReply): boolean {
  const encoding = req.headers['content-encoding'];
  if (encoding === undefined || encoding.trim().toLowerCase() === 'identity') return false;
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody) return false;
  reply.header('connection', 'close');
  sendError(
    req,
    reply,
    'UNSUPPORTED_MEDIA_TYPE',
    `Request bodies are read as plain JSON; Content-Encoding "${encoding.slice(0, 40)}" is not accepted.`,
  );
  return true;
}

export async function buildApp(opts: BuildOptions) {
  const { engine } = opts;
  const app = Fastify({
    logger: false,
    genReqId: genRequestId,
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Our own ids only; never trust a client's.
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    ...(opts.serverFactory ? { serverFactory: opts.serverFactory } : {}),
    // The router's own refusals (a path segment over 100 characters, a malformed %-escape) answer
    // in our envelope too, never fastify's default shape.
    frameworkErrors: (err, req, reply) => {
      reply.header('x-request-id', req.id);
      return sendError(
        req,
        reply,
        'INVALID_REQUEST',
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'A part of the path is too long.'
          : 'The path is not a valid URL.',
      );
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(exactValidatorCompiler());

  // Bodies are JSON only: a cross-site form (text/plain) cannot reach a handler.
  app.removeContentTypeParser('text/plain');

  // One synchronous hook for the checks every request passes: no promise per request. A guard that
  // answers (403/401) ends the request there, so `done` is not called.
  const origin = originGuard({
    port: opts.port,
    extraOrigins: opts.extraOrigins,
    publicUrl: opts.publicUrl,
  });
  const auth = authGuard(engine.keys);
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    if (origin(req, reply) || auth(req, reply)) return;
    if (refusesBodyEncoding(req, reply)) return;
    if (expectsContinue(req.headers.expect) && !grantContinue(req, reply, bodyLimit)) return;
    done();
  });
  durableReplies(app, engine.ctx.db);
  // Node grants `Expect: 100-continue` itself unless the server handles checkContinue: we hand the
  // request to fastify unanswered, and the hook above grants it only once the guards have passed,
  // so a client without a key or with an oversized body never sends its body.
  app.server.on('checkContinue', (req, res) => app.server.emit('request', req, res));
  if (engine.ctx.logger.debugEnabled !== false) {
    app.addHook('onResponse', async (req, reply) => {
      engine.ctx.logger.debug('request', {
        method: req.method,
        url: req.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      });
    });
  }

  installErrorHandling(app, engine.ctx.logger);

  // JSON answers are compressed when the client asks (Accept-Encoding: br, gzip or deflate) and
  // they are over 1 KB; files never are: they go out as stored (`application/gzip`, `text/csv`…),
  // so sizes, ranges and checksums stay byte-exact. Request bodies are never decompressed.
  await app.register(fastifyCompress, {
    globalDecompression: false,
    customTypes: isJsonType,
    threshold: 1024,
    encodings: ['br', 'gzip', 'deflate'],
  });

  await app.register(fastifySwagger, {
    transform: withErrorCodes,
    transformObject: (generated) =>
      finishDocument(
        ('openapiObject' in generated ? generated.openapiObject : generated) as Record<
          string,
          unknown
        >,
      ) as ReturnType<SwaggerTransformObject>,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Export Manager API',
        version: engine.ctx.config.version,
        description:
          'The localhost Export API: create, poll and download exports of local datasets and remote vendors. Every JSON answer is an envelope, `{ data, meta: { request_id } }` or `{ error: { code, message, details }, meta }`; the full reference is docs/API.md in the repository.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'em_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });

  const { sendIndex } = await registerStatic(app, { dir: opts.staticDir, keys: engine.keys });

  // SPA fallback: an unknown GET that a browser navigates to gets the app; the rest the envelope.
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const isPage =
      req.method === 'GET' &&
      !path.startsWith('/v1/') &&
      !path.startsWith('/files/') &&
      !/\.[a-z0-9]+$/i.test(path) &&
      (req.headers.accept ?? '').includes('text/html');
    if (isPage) return sendIndex(reply);
    return sendError(req, reply, 'NOT_FOUND', `No route for ${req.method} ${path}.`);
  });

  await registerRoutes(app, { engine, heartbeatMs: opts.heartbeatMs ?? 15_000 });

  app.get(
    '/v1/openapi.json',
    {
      schema: {
        operationId: 'getOpenApiDocument',
        summary: 'This OpenAPI document',
        description:
          'The bare OpenAPI 3.1 document (not in the envelope), generated from the schemas the server validates with. No key needed.',
        tags: ['system'],
        security: [],
        response: { 200: Type.Unknown({ description: 'The OpenAPI document.' }) },
      },
    },
    // `servers` is the address this server answers on, known once it listens.
    async () => ({
      ...app.swagger(),
      servers: [{ url: engine.ctx.baseUrl(), description: 'This server' }],
    }),
  );

  await app.ready();
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
