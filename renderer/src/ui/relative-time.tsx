// "3 minutes ago" that stays true: every relative time on screen re-renders from one shared clock
// that ticks while anything shows one.
import { useSyncExternalStore } from 'react';
import { dateTime, relative } from '../format.ts';

const TICK_MS = 10_000;
const listeners = new Set<() => void>();
let now = Date.now();
let timer: number | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === null) {
    now = Date.now();
    timer = window.setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  };
}

/** The current time, updated every ten seconds. */
export const useTickingNow = (): number => useSyncExternalStore(subscribe, () => now);

/** A relative time ("in 7 days", "2 minutes ago") with the exact time on hover. */
export function RelativeTime({ at }: { at: string | null | undefined }) {
  useTickingNow(); // re-renders on each tick; the words use the time of this render
  if (!at) return <>—</>;
  return (
    <time dateTime={at} title={dateTime(at)}>
      {relative(at)}
    </time>
  );
}
