// The bounded, persistent log behind GET /v1/events: every bus event gets an id from the store
// (unique and increasing across connections and restarts) and stays replayable for a while.
import type { EventName } from '../../shared/events.ts';
import type { EngineContext } from './context.ts';
import { dialectOf, isShared } from './store/store-db.ts';
import { durable } from './store/durability.ts';
import { writeBatchOf } from './store/write-batch.ts';

export interface LoggedEvent {
  readonly id: number;
  readonly name: EventName;
  /** The event's data as JSON text, written once and sent as is. */
  readonly json: string;
}

export interface EventLogLimits {
  /** At most this many events are kept. */
  readonly maxEvents: number;
  /** Events older than this are dropped, ms. */
  readonly maxAgeMs: number;
}

/** The least time between two prunes of the log by age during appends, ms. */
const AGE_PRUNE_MS = 60_000;

export const defaultEventLogLimits: EventLogLimits = {
  maxEvents: 10_000,
  maxAgeMs: 24 * 60 * 60 * 1000,
};

/** What a client that last saw `lastId` should get: the events after it, or a reload. */
export type Replay =
  | { readonly kind: 'events'; readonly events: LoggedEvent[] }
  | { readonly kind: 'reload'; readonly oldestId: number | null };

export interface EventLog {
  /** Calls `fn` with each event as it is logged; returns the unsubscribe. */
  subscribe(fn: (event: LoggedEvent) => void): () => void;
  /** The events after `lastId`, or `reload` when some of them have left the log. */
  since(lastId: number): Replay;
  /** The newest id handed out so far (0 before any). */
  lastId(): number;
  /**
   * Resolves once every event emitted so far is stored and delivered: a new stream reads its
   * replay after this, so it neither misses nor repeats what was still on its way.
   */
  settled(): Promise<void>;
  close(): void;
}

export function createEventLog(
  ctx: EngineContext,
  limits: EventLogLimits = defaultEventLogLimits,
): EventLog {
  const { db, clock } = ctx;
  const insert = db
    .prepare('INSERT INTO event_log (name, data_json, at) VALUES (?, ?, ?) RETURNING id')
    .pluck();
  const after = db.prepare(
    'SELECT id, name, data_json AS json FROM event_log WHERE id > ? ORDER BY id',
  );
  const oldest = db.prepare('SELECT min(id) AS id FROM event_log');
  // The last id handed out, even when pruning removed its line.
  const newest = db.prepare(
    dialectOf(db) === 'sqlite'
      ? "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'event_log'), 0) AS id"
      : "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('event_log', 'id')::regclass), 0) AS id",
  );
  // By id (the primary key: a range of the table) with appends; by age (`at` has no index, so a
  // scan of every line, data and all) at most once a minute and on a read. One statement with
  // both (`id <= ? OR at < ?`) scanned the whole log every 100 appends: 3 % of the engine's
  // thread under a stream of small exports.
  const pruneById = db.prepare('DELETE FROM event_log WHERE id <= ?');
  const pruneByAge = db.prepare('DELETE FROM event_log WHERE at < ?');
  const subscribers = new Set<(event: LoggedEvent) => void>();
  let sincePrune = 0;
  let agePrunedAt = Number.NEGATIVE_INFINITY;
  let open = true;

  const pruneNow = (byAge: 'always' | 'due') => {
    const last = (newest.get() as { id: number }).id;
    pruneById.run(last - limits.maxEvents);
    const now = clock.now();
    // A clock set back counts as due: the next check is a minute after the new time.
    if (byAge === 'always' || now - agePrunedAt >= AGE_PRUNE_MS || now < agePrunedAt) {
      agePrunedAt = now;
      pruneByAge.run(now - limits.maxAgeMs);
    }
  };
  pruneNow('always');
  // The newest id delivered to subscribers. A line is stored a moment before it is delivered (its
  // commit reaches the disk first, store/durability.ts): a replay or a new stream's first id stops
  // here, so nothing is sent twice nor before it is on disk. A shared store (team mode) delivers
  // at once after its commits, which are durable: there, the newest stored line.
  let delivered = (newest.get() as { id: number }).id;
  const sharedStore = isShared(db);
  const deliveredThrough = () => (sharedStore ? (newest.get() as { id: number }).id : delivered);

  // Appends are committed in batches (store/write-batch.ts), and an event reaches subscribers only
  // once its line is stored: no client ever holds an id a crash could hand out again.
  const batch = writeBatchOf(db, (err) =>
    ctx.logger.error('event log write failed', { error: err.message }),
  );
  const deliver = (event: LoggedEvent) => {
    delivered = Math.max(delivered, event.id);
    for (const fn of subscribers) {
      try {
        fn(event);
      } catch {
        /* a failing stream must not stop the others */
      }
    }
  };

  // Engines sharing a store (team mode) also pass on each other's events: every half second the
  // log is read past what was delivered. Ids are taken at insert and committed a moment later, so
  // a line may appear below one already seen: the read looks back a window and skips what it has.
  const sharedPoll = isShared(db) ? pollOthers() : null;
  function pollOthers() {
    const LOOK_BACK = 500;
    const seen = new Set<number>();
    let cursor = (newest.get() as { id: number }).id;
    // A store that stops answering is logged once, not every half second, until it answers again.
    let failing = false;
    const timer = setInterval(() => {
      try {
        if (!open || subscribers.size === 0) {
          cursor = Math.max(cursor, lastSeen());
        } else {
          for (const e of after.all(Math.max(0, cursor - LOOK_BACK)) as LoggedEvent[]) {
            if (seen.has(e.id)) continue;
            seen.add(e.id);
            cursor = Math.max(cursor, e.id);
            deliver(e);
          }
          for (const id of seen) if (id <= cursor - LOOK_BACK) seen.delete(id);
        }
        if (failing) ctx.logger.info("reading other engines' events again");
        failing = false;
      } catch (err) {
        if (!failing)
          ctx.logger.warn("could not read other engines' events; retrying every 0.5 s", {
            error: (err as Error).message,
          });
        failing = true;
      }
    }, 500);
    timer.unref();
    const lastSeen = () => (newest.get() as { id: number }).id;
    return { mine: (id: number) => seen.add(id), stop: () => clearInterval(timer) };
  }

  const off = ctx.events.onAny((name, data) => {
    if (!open) return;
    const json = JSON.stringify(data);
    const at = clock.now();
    let id = 0;
    batch.defer(
      () => {
        id = Number(insert.get(name, json, at));
        if (++sincePrune >= 100) {
          sincePrune = 0;
          pruneNow('due');
        }
      },
      () => {
        sharedPoll?.mine(id);
        deliver({ id, name, json });
      },
    );
  });

  return {
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    since(lastId) {
      batch.flush();
      // Pruning runs with appends; a quiet log is checked on read as well.
      pruneNow('always');
      const first = (oldest.get() as { id: number | null }).id;
      const last = deliveredThrough();
      if (lastId === last) return { kind: 'events', events: [] };
      // Something after lastId was pruned, or lastId was never handed out here: reload.
      if (lastId > last || first === null || first > lastId + 1)
        return { kind: 'reload', oldestId: first };
      const events = (after.all(lastId) as LoggedEvent[]).filter((e) => e.id <= last);
      return { kind: 'events', events };
    },
    lastId: () => {
      batch.flush();
      return deliveredThrough();
    },
    settled: () => {
      batch.flush();
      return durable(db);
    },
    close() {
      batch.flush();
      open = false;
      sharedPoll?.stop();
      off();
      subscribers.clear();
    },
  };
}
