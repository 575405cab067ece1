// Who may call /v1/*: a bearer key, or the browser tab's session cookie. Never a key in the query.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeysService } from '../engine/auth/keys-service.ts';
import { sendError } from './envelope.ts';

export const SESSION_COOKIE = 'em_session';

/** Routes under /v1 that need no key. */
const PUBLIC = new Set(['/v1/openapi.json']);

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

export function authGuard(keys: KeysService) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    if (!path.startsWith('/v1/') || PUBLIC.has(path)) return undefined;
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (m && keys.verifyKey(m[1] ?? '')) return undefined;
      return sendError(
        req,
        reply,
        'UNAUTHORIZED',
        'The API key is missing or wrong. Send it as "Authorization: Bearer <key>".',
      );
    }
    // The cookie reaches us only from our own pages (SameSite=Strict; the origin guard already ran).
    const session = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (session && keys.verifySession(session)) return undefined;
    return sendError(
      req,
      reply,
      'UNAUTHORIZED',
      'The API key is missing or wrong. Send it as "Authorization: Bearer <key>".',
    );
  };
}

export function sessionCookie(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}
