// Time as the engine sees it: real in the shells, fake in tests.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls fn once after ms; the handle cancels it. Timers never keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * The system clock set `aheadMs` into the future (timers still wait real time): `serve` with
 * EXPORT_MANAGER_CLOCK_AHEAD_SECONDS, to see what a later start does (expiry, schedules) now.
 */
export const clockAhead = (aheadMs: number): Clock => ({
  now: () => Date.now() + aheadMs,
  setTimeout: systemClock.setTimeout,
});

// The last answer is kept: polls of one export ask for the same instant many times a second, and
// toISOString formats in C++ each time.
let lastMs = Number.NaN;
let lastIso = '';
export const iso = (ms: number): string => {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
};
export const isoOrNull = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : iso(ms);
