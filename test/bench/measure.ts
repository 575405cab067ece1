// Timing and memory helpers: A/B alternation with medians, and peak RSS of another process.
import { readFileSync, writeFileSync } from 'node:fs';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Pair {
  /** Our side; resolves to its measurement (seconds, or whatever the row compares). */
  ours(run: number): Promise<number>;
  /** The baseline; same unit. */
  baseline(run: number): Promise<number>;
}

export interface PairResult {
  readonly ours: number[];
  readonly baseline: number[];
}

/**
 * Runs A B A B...: `warmup` uncounted pairs, then `runs` counted ones. Alternating, in one process
 * and one sitting, is what makes the ratio trustworthy on a machine whose speed drifts.
 */
export async function alternate(
  pair: Pair,
  runs: number,
  warmup: number,
  log: (s: string) => void,
  fmt: (v: number) => string = (v) => `${v.toFixed(2)} s`,
): Promise<PairResult> {
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = -warmup; i < runs; i++) {
    const a = await pair.ours(i);
    const b = await pair.baseline(i);
    const tag = i < 0 ? 'warm-up' : `run ${i + 1}/${runs}`;
    log(`  ${tag}: ours ${fmt(a)}, baseline ${fmt(b)}`);
    if (i >= 0) {
      ours.push(a);
      baseline.push(b);
    }
  }
  return { ours, baseline };
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Peak resident memory of a process over a window. Resets the kernel's high-water mark where it
 * can (clear_refs 5), reads VmHWM at the end and also samples VmRSS, taking the larger.
 */
export class PeakRss {
  readonly #pid: number;
  #sampled = 0;
  #timer: NodeJS.Timeout | null = null;
  #hwmReset = false;

  constructor(pid: number) {
    this.#pid = pid;
  }

  start(): void {
    try {
      writeFileSync(`/proc/${this.#pid}/clear_refs`, '5');
      this.#hwmReset = true;
    } catch {
      this.#hwmReset = false;
    }
    this.#sampled = statusKb(this.#pid, 'VmRSS') ?? 0;
    this.#timer = setInterval(() => {
      this.#sampled = Math.max(this.#sampled, statusKb(this.#pid, 'VmRSS') ?? 0);
    }, 25);
  }

  /** Peak in MB since start(), or null where /proc is not available. */
  stop(): number | null {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const rss = statusKb(this.#pid, 'VmRSS');
    if (rss !== null) this.#sampled = Math.max(this.#sampled, rss);
    const hwm = this.#hwmReset ? statusKb(this.#pid, 'VmHWM') : null;
    const kb = Math.max(this.#sampled, hwm ?? 0);
    return kb > 0 ? kb / 1024 : null;
  }
}

/** Peak since the process started (VmHWM), in MB. */
export function lifetimePeakMb(pid: number): number | null {
  const kb = statusKb(pid, 'VmHWM');
  return kb === null ? null : kb / 1024;
}

export const seconds = (startMs: number): number => (performance.now() - startMs) / 1000;
