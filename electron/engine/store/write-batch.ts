// Writes that need not be durable the moment they are made (an export's progress, the event log):
// queued, and committed together within BATCH_MS, or sooner with the next synchronous write of the
// store, which takes them into its own transaction. A burst of small changes (many small exports,
// each reporting a few stages and events) then costs no commit of its own, instead of one each.
// Status changes, files and anything a caller is told was saved stay synchronous: they never go
// through here. A batch's own commit is lazy (store/durability.ts): what must wait for it (an
// event's delivery) runs once it is on disk.
//
// Order is kept: any synchronous write of the same store must first take the queued writes into
// its own transaction (`takeInto`), so a queued write never lands after a later one.
import type { StoreDb } from './store-db.ts';
import { immediate } from './db.ts';
import { whenDurable } from './durability.ts';

export interface WriteBatch {
  /**
   * Queues `write` for the next commit; `after` runs once that commit is done (in queue order):
   * what others may see only once it is stored, such as an event with its store-issued id.
   */
  defer(write: () => void, after?: () => void): void;
  /** Commits what is queued now (a reader that must see it, a shutdown). */
  flush(): void;
  /**
   * Runs the queued writes inside the caller's open transaction and returns what must run after
   * that transaction commits (call it then: it waits for the commit to be on disk).
   */
  takeInto(): () => void;
  /** Writes queued and not yet committed. */
  pending(): number;
}

interface Queued {
  readonly write: () => void;
  readonly after: (() => void) | undefined;
}

/** The longest a deferred write waits for its commit (and an event for its subscribers). */
export const BATCH_MS = 10;
/** The most writes a batch holds: a burst commits in steps, and never queues without bound. */
export const BATCH_MAX = 256;

const batches = new WeakMap<StoreDb, WriteBatch>();

/** The one write batch of a store: every module that defers writes to it shares its commits. */
export function writeBatchOf(db: StoreDb, onError?: (err: Error) => void): WriteBatch {
  let batch = batches.get(db);
  if (!batch) {
    batch = createWriteBatch(db, onError);
    batches.set(db, batch);
  }
  return batch;
}

function createWriteBatch(db: StoreDb, onError?: (err: Error) => void): WriteBatch {
  let queue: Queued[] = [];
  let scheduled: NodeJS.Timeout | null = null;

  const runAfters = (done: readonly Queued[]) => {
    for (const q of done) {
      try {
        q.after?.();
      } catch (err) {
        onError?.(err as Error);
      }
    }
  };

  function takeInto(): () => void {
    if (scheduled) clearTimeout(scheduled);
    scheduled = null;
    const taken = queue;
    queue = [];
    for (const q of taken) q.write();
    // Called once the caller's transaction has committed: the afters run when that is on disk.
    return () => whenDurable(db, () => runAfters(taken));
  }

  function flush(): void {
    if (queue.length === 0 || !db.open) return;
    let after: () => void = () => undefined;
    try {
      if (db.inTransaction) after = takeInto();
      else immediate(db, () => (after = takeInto()), { lazy: true });
    } catch (err) {
      // A write that cannot be stored (disk full) loses only what was deferred: progress and
      // event lines, never a status; the next status change is written on its own.
      onError?.(err as Error);
      return;
    }
    after();
  }

  return {
    defer(write, after) {
      queue.push({ write, after });
      if (queue.length >= BATCH_MAX) {
        flush();
        return;
      }
      scheduled ??= setTimeout(() => {
        scheduled = null;
        flush();
      }, BATCH_MS);
    },
    flush,
    takeInto,
    pending: () => queue.length,
  };
}
