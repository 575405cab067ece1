// A response is the outside world hearing of a change, so it leaves only once whatever the store
// committed lazily is on disk (store/durability.ts). Nothing waits when nothing is pending: a read
// under no writes pays one check. A store that cannot be synced answers 500 instead of the reply.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { isDurable, whenDurable } from '../engine/store/durability.ts';
import type { StoreDb } from '../engine/store/store-db.ts';

const marks = new WeakMap<FastifyRequest, number>();

/**
 * The reply to `req` tells only of what the store held at `mark` (commitMark, taken right after the
 * request's own commit): it waits for the commits up to there, not for those made since (the job
 * it started, other exports finishing), whose sync may still be running.
 */
export function replyTellsUpTo(req: FastifyRequest, mark: number): void {
  marks.set(req, mark);
}

export function durableReplies(app: FastifyInstance, db: StoreDb): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    const mark = marks.get(req);
    if (isDurable(db, mark)) {
      done(null, payload);
      return;
    }
    whenDurable(
      db,
      (err) => {
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
      },
      mark,
    );
  });
}
