// Descriptor budget of the API server. A client that opens connections and sends nothing (or a
// request head byte by byte) holds a descriptor each; without limits ~1k of them reach a common
// soft limit of 1,024 and every other open() fails with EMFILE. So:
// - at most `maxConnections` sockets at once (the rest are closed on accept); by default half the
//   process's descriptor limit, between 64 and 4,096;
// - a connection that has not yet sent a whole request head is "unproven": at most
//   `maxUnproven` of them (a new one closes the oldest that has been waiting longer than a grace
//   period, so a flood of idle sockets never locks out a real client, and a burst of real clients
//   whose heads are still queued behind each other is never cut) and each must send its head within
//   `headersMs`;
// - after a request, keep-alive idles out after `idleMs`.
import { readFileSync } from 'node:fs';
import type { Server, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** The process's open-file limit (Linux: /proc/self/limits), or null where it cannot be read. */
export function descriptorLimit(limits = '/proc/self/limits'): number | null {
  try {
    const line = readFileSync(limits, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const n = soft === undefined ? NaN : Number(soft);
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Half the descriptors for sockets (the store, workers and files need the rest), 64 to 4,096. */
export function defaultMaxConnections(limit = descriptorLimit()): number {
  return limit === null ? 1024 : Math.min(4096, Math.max(64, Math.floor(limit / 2)));
}

export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly maxUnproven: number;
  readonly headersMs: number;
  readonly idleMs: number;
}

export const defaultConnectionLimits: ConnectionLimits = {
  maxConnections: defaultMaxConnections(),
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
  // Only a socket that has had time to send its head makes room: a burst of real clients whose
  // requests wait behind each other in our queue is never cut.
  const graceMs = Math.min(2_000, limits.headersMs / 2);
  const makeRoom = () => {
    const [oldest, since] = unproven.entries().next().value ?? [];
    if (oldest && since !== undefined && performance.now() - since >= graceMs)
      closeUnproven(oldest);
  };
  // At the cap Node closes new sockets before 'connection': free a slot for the next attempt.
  server.on('drop', makeRoom);
  server.on('connection', (socket: Socket) => {
    open++;
    socket.once('close', () => {
      open--;
      unproven.delete(socket);
    });
    if (unproven.size >= limits.maxUnproven) makeRoom();
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
