// GET /v1/events: Server-Sent Events from the engine's bus, with heartbeats.
import type { EventName } from '../../../shared/events.ts';
import { boundedSseWrite } from '../sse-buffer.ts';
import type { RouteApp, RouteDeps } from './index.ts';

export function eventRoutes(app: RouteApp, { engine, heartbeatMs }: RouteDeps): void {
  app.get(
    '/v1/events',
    { schema: { tags: ['events'], summary: 'Live events (text/event-stream)' } },
    (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      let seq = 0;
      // A slow reader must not make us buffer without end: drop it, it reconnects.
      const write = boundedSseWrite(res);
      write(`retry: 3000\n: connected\n\n`);
      const off = engine.ctx.events.onAny((name: EventName, data: unknown) => {
        write(`id: ${++seq}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
      });
      const beat = setInterval(
        () => write(`: heartbeat ${new Date().toISOString()}\n\n`),
        heartbeatMs,
      );
      beat.unref();
      const stop = () => {
        clearInterval(beat);
        off();
      };
      req.raw.on('close', stop);
      res.on('close', stop);
    },
  );
}
