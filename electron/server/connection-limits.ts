// Descriptor budget of the API server. A client that opens connections and sends nothing (or a
// request head byte by byte) holds a descriptor each; without limits ~1k of them reach a common
// soft limit of 1,024 and every other open() fails with EMFILE. So:
// - at most `maxConnections` sockets at once (the rest are closed on accept);
// - a connection that has not yet sent a whole request head is "unproven": at most
//   `maxUnproven` of them (a new one closes the oldest, so a flood of idle sockets never locks out a
//   real client, whose request arrives at once) and each must send its head within `headersMs`;
// - after a request, keep-alive idles out after `idleMs`.
import type { Server, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly maxUnproven: number;
  readonly headersMs: number;
  readonly idleMs: number;
}

export const defaultConnectionLimits: ConnectionLimits = {
  maxConnections: 256,
  maxUnproven: 64,
  headersMs: 10_000,
  idleMs: 5_000,
};

export interface ConnectionStats {
  /** Sockets closed because they sent no request head in time, or made room for a newer one. */
  readonly unprovenClosed: number;
  readonly open: number;
}

export function limitConnections(
  server: Server,
  limits: ConnectionLimits = defaultConnectionLimits,
): () => ConnectionStats {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersMs;
  server.keepAliveTimeout = limits.idleMs;
  server.requestTimeout = Math.max(limits.headersMs, 30_000);
  // Unproven sockets, oldest first, with the time they connected.
  const unproven = new Map<Socket, number>();
  let open = 0;
  let unprovenClosed = 0;
  const closeUnproven = (socket: Socket) => {
    unproven.delete(socket);
    unprovenClosed++;
    socket.destroy();
  };
  server.on('connection', (socket: Socket) => {
    open++;
    socket.once('close', () => {
      open--;
      unproven.delete(socket);
    });
    if (unproven.size >= limits.maxUnproven) {
      const oldest = unproven.keys().next().value;
      if (oldest) closeUnproven(oldest);
    }
    unproven.set(socket, performance.now());
  });
  server.on('request', (req: IncomingMessage) => {
    unproven.delete(req.socket);
  });
  const sweep = setInterval(
    () => {
      const cutoff = performance.now() - limits.headersMs;
      for (const [socket, since] of unproven) {
        if (since > cutoff) break; // insertion order: the rest are younger
        closeUnproven(socket);
      }
    },
    Math.max(50, Math.min(1000, limits.headersMs / 4)),
  );
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
  return () => ({ unprovenClosed, open });
}
