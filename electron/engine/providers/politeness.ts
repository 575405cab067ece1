// Per-provider politeness: a request-rate token bucket and a limit on exports running at once.
import type { Clock } from '../clock.ts';

export const sleep = (clock: Clock, ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason as Error);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface TokenBucket {
  /** Resolves when one more request may be sent. Callers are served in order. */
  take(): Promise<void>;
}

/** Allows `rate()` requests per second on average, with a burst of at most one second's worth. */
export function createTokenBucket(clock: Clock, rate: () => number): TokenBucket {
  let tokens = Math.max(1, rate());
  let last = clock.now();
  let queue: Promise<void> = Promise.resolve();

  function refill(): void {
    const r = Math.max(0.001, rate());
    const now = clock.now();
    tokens = Math.min(Math.max(1, r), tokens + ((now - last) / 1000) * r);
    last = now;
  }

  return {
    take() {
      const turn = queue.then(async () => {
        refill();
        if (tokens < 1) {
          await sleep(clock, Math.ceil(((1 - tokens) / Math.max(0.001, rate())) * 1000));
          refill();
        }
        tokens -= 1;
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** Counting semaphores keyed by provider id; the limit is read at each acquire (it may be edited). */
export function createSlots() {
  const active = new Map<string, number>();
  const waiting = new Map<string, (() => void)[]>();

  function release(key: string, limit: () => number): void {
    active.set(key, (active.get(key) ?? 1) - 1);
    const queue = waiting.get(key) ?? [];
    while (queue.length > 0 && (active.get(key) ?? 0) < limit()) {
      active.set(key, (active.get(key) ?? 0) + 1);
      queue.shift()!();
    }
  }

  return {
    /** Resolves with a release function once fewer than limit() holders have the key. */
    acquire(key: string, limit: () => number, signal: AbortSignal): Promise<() => void> {
      return new Promise((resolve, reject) => {
        let released = false;
        const grant = () =>
          resolve(() => {
            if (released) return;
            released = true;
            release(key, limit);
          });
        if ((active.get(key) ?? 0) < limit()) {
          active.set(key, (active.get(key) ?? 0) + 1);
          grant();
          return;
        }
        const queue = waiting.get(key) ?? [];
        waiting.set(key, queue);
        const entry = () => {
          signal.removeEventListener('abort', onAbort);
          grant();
        };
        const onAbort = () => {
          const i = queue.indexOf(entry);
          if (i >= 0) queue.splice(i, 1);
          reject(signal.reason as Error);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        queue.push(entry);
      });
    },
    activeCount: (key: string) => active.get(key) ?? 0,
  };
}
