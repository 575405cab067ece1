// A response is the outside world hearing of a change, so it leaves only once whatever the store
// committed lazily is on disk (store/durability.ts). Nothing waits when nothing is pending: a read
// under no writes pays one check. A store that cannot be synced answers 500 instead of the reply.
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { isDurable, whenDurable } from '../engine/store/durability.ts';
import type { StoreDb } from '../engine/store/store-db.ts';

export function durableReplies(app: FastifyInstance, db: StoreDb): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    if (isDurable(db)) {
      done(null, payload);
      return;
    }
    whenDurable(db, (err) => {
      if (err === null) {
        done(null, payload);
        return;
      }
      (payload as Partial<Readable> | null)?.destroy?.();
      reply.code(500).header('content-type', 'application/json; charset=utf-8');
      reply.removeHeader('content-length');
      const message = `The store could not write its changes to the disk (${err.message}); a change made by this request may be lost if the computer stops now. Check the disk.`;
      done(
        null,
        JSON.stringify({
          error: { code: 'INTERNAL', message, details: {} },
          meta: { request_id: req.id },
        }),
      );
    });
  });
}
