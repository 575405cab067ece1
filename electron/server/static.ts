// The renderer for the browser tab: static files, SPA fallback, CSP, and the token exchange at `/`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { KeysService } from '../engine/auth/keys-service.ts';
import { sessionCookie } from './auth.ts';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SESSION_MAX_AGE = 30 * 24 * 3600;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Export Manager</title>
<h1>Export Manager</h1><p>The API is running, but the user interface has not been built.
Run <code>npm run build</code> and reload this page.</p>`;

function htmlHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store');
}

export async function registerStatic(
  app: FastifyInstance,
  opts: { dir: string | null; keys: KeysService },
) {
  const dir = opts.dir && existsSync(join(opts.dir, 'index.html')) ? opts.dir : null;
  const index = dir ? readFileSync(join(dir, 'index.html'), 'utf8') : NOT_BUILT;

  const sendIndex = (reply: FastifyReply) =>
    htmlHeaders(reply).type('text/html; charset=utf-8').send(index);

  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    const token = (req.query as { token?: unknown }).token;
    if (typeof token === 'string') {
      const session = opts.keys.exchangeToken(token);
      // The token never stays in the address bar: success or not, we redirect to `/`.
      if (session) reply.header('set-cookie', sessionCookie(session, SESSION_MAX_AGE));
      return reply
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-store')
        .redirect(session ? '/' : '/?session=expired', 302);
    }
    return sendIndex(reply);
  });

  if (dir) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      index: false,
      wildcard: true,
      setHeaders: (reply: FastifyReply) => {
        reply.header('x-content-type-options', 'nosniff');
        reply.header('content-security-policy', CSP);
      },
    });
  }

  return { sendIndex };
}
