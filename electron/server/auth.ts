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

const WRONG_KEY = 'The API key is missing or wrong. Send it as "Authorization: Bearer <key>".';

/** Part of the onRequest hook; synchronous (every request passes it); true when it has answered. */
export function authGuard(keys: KeysService) {
  return (req: FastifyRequest, reply: FastifyReply): boolean => {
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (!path.startsWith('/v1/') || PUBLIC.has(path)) return false;
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (m && keys.verifyKey(m[1] ?? '')) return false;
    } else {
      // The cookie reaches us only from our own pages (SameSite=Strict; the origin guard ran).
      const session = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      if (session && keys.verifySession(session)) return false;
    }
    sendError(req, reply, 'UNAUTHORIZED', WRONG_KEY);
    return true;
  };
}

export function sessionCookie(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}
