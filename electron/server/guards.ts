// Local port defence: Host (DNS rebinding) and Origin (cross-site pages) checks on every route.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './envelope.ts';

export interface OriginPolicy {
  /** The port the server listens on (known only after listen). */
  port(): number;
  /** Origins besides the server's own that may call it (the desktop app's, if it has its own). */
  extraOrigins?: readonly string[];
  /**
   * A team engine's public address (serve --public-url): its host is answered besides loopback,
   * and its origin (the UI served from it) may call the API.
   */
  publicUrl?: string | undefined;
}

export const allowedHosts = (port: number): string[] => [
  `127.0.0.1:${port}`,
  `localhost:${port}`,
  `[::1]:${port}`,
];

export function isAllowedOrigin(origin: string, policy: OriginPolicy): boolean {
  if (policy.extraOrigins?.includes(origin)) return true;
  if (policy.publicUrl && origin === new URL(policy.publicUrl).origin) return true;
  return allowedHosts(policy.port()).some((h) => origin === `http://${h}`);
}

/**
 * Part of the onRequest hook: 403 FORBIDDEN_HOST / FORBIDDEN_ORIGIN before anything else runs.
 * Synchronous (every request passes it); true when it has answered the request.
 */
export function originGuard(policy: OriginPolicy) {
  let hosts: string[] = [];
  let hostsPort = -1;
  return (req: FastifyRequest, reply: FastifyReply): boolean => {
    const port = policy.port();
    if (port !== hostsPort) {
      [hosts, hostsPort] = [allowedHosts(port), port];
      if (policy.publicUrl) hosts.push(new URL(policy.publicUrl).host.toLowerCase());
    }
    const host = req.headers.host?.toLowerCase();
    if (!host || !hosts.includes(host)) {
      sendError(
        req,
        reply,
        'FORBIDDEN_HOST',
        policy.publicUrl
          ? `This server answers only to ${new URL(policy.publicUrl).host} (its --public-url) and to loopback on its own port.`
          : 'This server answers only to 127.0.0.1, localhost or [::1] on its own port.',
      );
      return true;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !isAllowedOrigin(origin, policy)) {
      sendError(
        req,
        reply,
        'FORBIDDEN_ORIGIN',
        `Requests from ${origin === 'null' ? 'an opaque origin' : origin} are not allowed.`,
      );
      return true;
    }
    // Browsers that send Fetch Metadata flag cross-site API calls even without Origin. Navigations
    // (a presigned link clicked elsewhere) stay allowed: they carry no cookie (SameSite=Strict).
    if (req.url.startsWith('/v1/') && req.headers['sec-fetch-site'] === 'cross-site') {
      sendError(req, reply, 'FORBIDDEN_ORIGIN', 'Cross-site requests are not allowed.');
      return true;
    }
    return false;
  };
}
