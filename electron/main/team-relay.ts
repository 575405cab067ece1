// The relay between the app window and a team engine: a loopback port in the main process that
// forwards /healthz and /v1/* to the team engine with the team key. The page never holds that key
// (it gets a per-run relay token), and the team engine sees a plain client, not a foreign browser
// Origin it would refuse. Bytes pass through untouched (SSE streams, compressed JSON, 302s).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TEAM_ENGINE_UNREACHABLE } from '../../shared/ipc.ts';

export interface TeamRelayOptions {
  /** The team engine's base URL (a path prefix is kept: https://host/export-manager). */
  readonly target: string;
  readonly apiKey: string;
  /** The app window's origin: the only browser origin the relay answers. */
  readonly appOrigin: string;
  /** How long to wait for the team engine's answer head (the body may stream for ever: SSE). */
  readonly headTimeoutMs?: number;
}

export interface TeamRelay {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** What the page sends as its bearer key (and as `relay_token` on the event stream). */
  readonly token: string;
  close(): Promise<void>;
}

/** Headers of one hop only, or ours to set: never forwarded either way. */
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'origin',
  'referer',
  'cookie',
  'set-cookie',
  'authorization',
]);

function send(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message, details: {} }, meta: { request_id: null } }));
}

/** The routes a page reaches without a header: the event stream and an export's download. */
export const tokenInQueryAllowed = (path: string): boolean =>
  path === '/v1/events' || /^\/v1\/exports\/[^/]+\/download$/.test(path);

const sameToken = (given: string | null, token: Buffer): boolean => {
  if (given === null) return false;
  const g = Buffer.from(given);
  return g.length === token.length && timingSafeEqual(g, token);
};

export async function startTeamRelay(opts: TeamRelayOptions): Promise<TeamRelay> {
  const target = new URL(opts.target);
  const prefix = target.pathname.replace(/\/+$/, '');
  const token = randomBytes(32).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const headTimeoutMs = opts.headTimeoutMs ?? 30_000;
  const send1 = target.protocol === 'https:' ? httpsRequest : httpRequest;
  let port = 0;

  const cors = (res: ServerResponse) => {
    res.setHeader('access-control-allow-origin', opts.appOrigin);
    res.setHeader('vary', 'Origin');
    res.setHeader('access-control-expose-headers', 'X-Request-Id, Content-Disposition');
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // DNS rebinding: only our own loopback address; cross-site pages: only the app's origin.
    if (req.headers.host !== `127.0.0.1:${port}`)
      return send(res, 403, 'FORBIDDEN_HOST', 'The relay answers only to 127.0.0.1.');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== opts.appOrigin)
      return send(res, 403, 'FORBIDDEN_ORIGIN', 'Only the app window may use the relay.');
    if (origin) cors(res);
    const url = new URL(req.url ?? '/', 'http://relay');
    if (url.pathname !== '/healthz' && !url.pathname.startsWith('/v1/'))
      return send(res, 404, 'NOT_FOUND', 'The relay forwards /healthz and /v1/* only.');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, HEAD, POST, PATCH, PUT, DELETE',
        'access-control-allow-headers':
          'Authorization, Content-Type, Idempotency-Key, Last-Event-ID, If-Match, If-None-Match',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    // EventSource and a download link cannot send a header: those two may carry the token in
    // their query (the event stream, and a download that answers 302 to a presigned link).
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    const queryToken = tokenInQueryAllowed(url.pathname)
      ? url.searchParams.get('relay_token')
      : null;
    url.searchParams.delete('relay_token');
    if (url.pathname !== '/healthz' && !sameToken(bearer ?? queryToken, tokenBuf))
      return send(res, 401, 'UNAUTHORIZED', 'The relay needs the app window’s token.');

    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers))
      if (!HOP.has(name) && !name.startsWith('sec-') && value !== undefined) headers[name] = value;
    headers.host = target.host;
    headers.authorization = `Bearer ${opts.apiKey}`;
    const upstream = send1(
      {
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || undefined,
        method: req.method,
        path: `${prefix}${url.pathname}${url.search}`,
        headers,
      },
      (answer) => {
        clearTimeout(timer);
        const out: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers))
          if (!HOP.has(name) && value !== undefined) out[name] = value;
        res.writeHead(answer.statusCode ?? 502, out);
        // SSE: every event goes out as it comes in.
        res.flushHeaders();
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    const timer = setTimeout(
      () => upstream.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })),
      headTimeoutMs,
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (res.writableEnded || res.destroyed) return;
      const why =
        err.code === 'ETIMEDOUT'
          ? `no answer within ${Math.round(headTimeoutMs / 1000)} s`
          : err.message;
      send(
        res,
        502,
        TEAM_ENGINE_UNREACHABLE,
        `The team engine at ${target.host} is not answering: ${why}.`,
      );
    });
    // The page went away (a closed event stream, a navigation): so does the request upstream.
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
