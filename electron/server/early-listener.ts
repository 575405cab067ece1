// The port, bound before anything heavy loads: a bare node:http server answers `/healthz` with
// status "starting" (and every other request 503 SERVICE_UNAVAILABLE, Retry-After: 1) while the
// engine opens its store and the API is built; then the API adopts this very server (no second
// bind, no moment when the port is closed). Imports nothing but node:http, so it is up in the time
// Node itself takes to start.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface EarlyListener {
  readonly server: Server;
  /** Stops answering on its own; `handler` answers every request from now on. */
  handOver(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

function startingAnswer(version: string) {
  let n = 0;
  return (req: IncomingMessage, res: ServerResponse) => {
    const id = `req_starting_${(++n).toString(36)}`;
    const path = (req.url ?? '/').split('?')[0];
    const body =
      path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')
        ? { status: 200, json: { data: { status: 'starting', version }, meta: { request_id: id } } }
        : {
            status: 503,
            json: {
              error: {
                code: 'SERVICE_UNAVAILABLE',
                message: 'Export Manager is starting; try again in a moment.',
                details: {},
              },
              meta: { request_id: id },
            },
          };
    const text = JSON.stringify(body.json);
    res.writeHead(body.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      'x-request-id': id,
      ...(body.status === 503 ? { 'retry-after': '1' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}

/** Binds `host:port` (0 = any free port) and answers as "starting" until handOver. */
export function listenEarly(host: string, port: number, version: string): Promise<EarlyListener> {
  const server = createServer();
  const starting = startingAnswer(version);
  server.on('request', starting);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve({
        server,
        handOver(handler) {
          server.off('request', starting);
          server.on('request', handler);
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
