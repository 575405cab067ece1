// GET /v1/events: Server-Sent Events from the engine's event log, resumable, with heartbeats.
//
// Every event carries the store-issued `id:`; a client that reconnects with `Last-Event-ID` (the
// header EventSource sends, or `?lastEventId=` for clients that cannot set headers) first gets the
// events it missed, or one `reload` event when they have left the bounded log.
import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import type { LoggedEvent } from '../../engine/event-log.ts';
import { sendError } from '../envelope.ts';
import { boundedSseWrite } from '../sse-buffer.ts';
import type { RouteApp, RouteDeps } from './index.ts';

const EventId = Type.String({ pattern: '^[0-9]{1,15}$', description: 'an event id seen before' });

const streamDescription = [
  'Events: export.updated, export.completed, export.failed (data: the Export), export.deleted ({ id }), dataset.updated (the Dataset), dataset.deleted ({ name }), schedule.updated, schedule.fired, schedule.failed (the Schedule), schedule.completed ({ schedule, run, summary }: a run completed with its changes known), schedule.deleted ({ id }).',
  'Every event has an `id:` unique and increasing across connections and restarts. Reconnecting with `Last-Event-ID` (or `?lastEventId=`) replays the events missed from a log of the last 10,000 events or 24 h; older than that, one `reload` event says to read the state afresh.',
  'On shutdown the stream ends with a `shutdown` event, `{ "reconnect": true }`.',
].join('\n\n');

export const sseMessage = (e: LoggedEvent): string =>
  `id: ${e.id}\nevent: ${e.name}\ndata: ${e.json}\n\n`;

export function eventRoutes(app: RouteApp, { engine, heartbeatMs }: RouteDeps): void {
  const open = new Set<ServerResponse>();
  // Shutdown ends every stream with a last event and a proper end of the response, so clients
  // see a clean close (and reconnect to the next server with their Last-Event-ID).
  app.addHook('preClose', (done) => {
    for (const res of open) {
      res.end(`event: shutdown\ndata: {"reconnect":true}\n\n`);
    }
    open.clear();
    done();
  });

  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        operationId: 'streamEvents',
        summary: 'A resumable stream of every change (Server-Sent Events)',
        description: streamDescription,
        querystring: Type.Object({ lastEventId: Type.Optional(EventId) }),
        headers: Type.Object({ 'last-event-id': Type.Optional(EventId) }),
        response: {
          200: {
            description: 'The event stream; it stays open, with a heartbeat comment every 15 s.',
            content: {
              'text/event-stream': {
                schema: Type.String({
                  description: 'Lines of `id:`, `event:` and `data:` (JSON), one blank line apart.',
                }),
              },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const header = req.headers['last-event-id'];
      const fromQuery = (req.query as { lastEventId?: string }).lastEventId;
      const raw = typeof header === 'string' ? header : fromQuery;
      const lastId = raw === undefined ? null : Number(raw);
      if (lastId !== null && !Number.isSafeInteger(lastId)) {
        void sendError(req, reply, 'INVALID_REQUEST', 'Last-Event-ID is not an event id.');
        return;
      }

      const log = engine.eventLog;
      // Events still on their way to the disk are delivered first: the replay below then ends
      // where live delivery begins.
      await log.settled();
      reply.hijack();
      const res = reply.raw;
      // Gone while it waited: nothing to stream to, nothing to subscribe.
      if (res.destroyed || req.raw.destroyed) {
        res.destroy();
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      // A slow reader must not make us buffer without end: drop it, it reconnects.
      const write = boundedSseWrite(res);
      // Replay and subscribe in one synchronous step: no event can fall between the two.
      const current = log.lastId();
      let head = `retry: 3000\n`;
      if (lastId === null)
        head += current > 0 ? `id: ${current}\n: connected\n\n` : `: connected\n\n`;
      else {
        const replay = log.since(lastId);
        if (replay.kind === 'events')
          head +=
            `: connected, resuming after ${lastId}\n\n` + replay.events.map(sseMessage).join('');
        else {
          const data = JSON.stringify({
            reason: 'The events after this id are no longer kept: read the state afresh.',
            last_event_id: lastId,
            oldest_id: replay.oldestId,
          });
          head += `id: ${current}\nevent: reload\ndata: ${data}\n\n`;
        }
      }
      // The replay is written once as it is (it may be larger than the live bound).
      res.write(head);
      open.add(res);
      const off = log.subscribe((e) => write(sseMessage(e)));
      const beat = setInterval(
        () => write(`: heartbeat ${new Date().toISOString()}\n\n`),
        heartbeatMs,
      );
      beat.unref();
      const stop = () => {
        clearInterval(beat);
        off();
        open.delete(res);
      };
      req.raw.on('close', stop);
      res.on('close', stop);
    },
  );
}
