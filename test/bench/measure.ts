// Timing and memory helpers: A/B alternation with medians, and peak RSS of another process.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

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

/** CPU time of each thread of a process, in ms, from /proc (null where /proc is missing). */
function threadTimes(pid: number): Map<string, { kind: string; ms: number }> | null {
  const out = new Map<string, { kind: string; ms: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, in clock ticks (100 per second on Linux).
      out.set(tid, { kind: threadKind(comm), ms: (Number(f[11]) + Number(f[12])) * 10 });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

// Node names its threads: the JS main thread, worker_threads, libuv's pool, V8's GC helpers.
function threadKind(comm: string): string {
  if (comm === 'WorkerThread') return 'worker';
  if (comm.startsWith('libuv-worker')) return 'pool';
  if (comm.startsWith('V8Worker')) return 'gc';
  if (comm === 'MainThread' || comm === 'node') return 'main';
  return 'other';
}

/**
 * Per-thread CPU of a process over a stretch of time, sampled every 100 ms so threads that end
 * before stop() (import workers) still count: each worker thread on its own, largest first, and
 * the rest summed by kind. Linux only; elsewhere stop() returns null.
 */
export class ThreadCpu {
  readonly #pid: number;
  #before: Map<string, { kind: string; ms: number }> | null = null;
  #last = new Map<string, { kind: string; ms: number }>();
  #timer: NodeJS.Timeout | null = null;

  constructor(pid: number) {
    this.#pid = pid;
  }

  start(): void {
    this.#before = threadTimes(this.#pid);
    this.#last = new Map(this.#before ?? []);
    this.#timer = setInterval(() => this.#sample(), 100);
  }

  #sample(): void {
    for (const [tid, t] of threadTimes(this.#pid) ?? []) this.#last.set(tid, t);
  }

  stop(): ThreadCpuResult | null {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#before === null) return null;
    this.#sample();
    const workers: number[] = [];
    const byKind: Record<string, number> = {};
    for (const [tid, t] of this.#last) {
      const ms = t.ms - (this.#before.get(tid)?.ms ?? 0);
      if (t.kind === 'worker') {
        if (ms >= 100) workers.push(ms);
      } else byKind[t.kind] = (byKind[t.kind] ?? 0) + ms;
    }
    return { workers: workers.sort((a, b) => b - a), ...byKind };
  }
}

export interface ThreadCpuResult {
  /** CPU ms of each worker thread that used 100 ms or more, largest first. */
  readonly workers: number[];
  readonly [kind: string]: number | number[];
}

/** Medians over runs, per kind and per worker rank (the largest worker of each run, the next...). */
export function medianThreadCpu(runs: readonly ThreadCpuResult[]): ThreadCpuResult | null {
  if (runs.length === 0) return null;
  const ranks = Math.min(...runs.map((r) => r.workers.length));
  const workers = Array.from({ length: ranks }, (_, i) =>
    Math.round(median(runs.map((r) => r.workers[i]!))),
  );
  const kinds = new Set(runs.flatMap((r) => Object.keys(r).filter((k) => k !== 'workers')));
  const out: Record<string, number | number[]> = { workers };
  for (const k of kinds)
    out[k] = Math.round(median(runs.map((r) => (r[k] as number | undefined) ?? 0)));
  return out as ThreadCpuResult;
}

/** "worker threads 8.4 + 0.3 s, pool 8.3 s, GC 1.2 s, main 0.5 s" */
export function describeThreadCpu(c: ThreadCpuResult): string {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const parts = [];
  if (c.workers.length > 0) parts.push(`worker threads ${c.workers.map(s).join(' + ')} s`);
  for (const [k, label] of [
    ['pool', 'pool'],
    ['gc', 'GC'],
    ['main', 'main'],
  ] as const) {
    const v = c[k];
    if (typeof v === 'number' && v >= 50) parts.push(`${label} ${s(v)} s`);
  }
  return `CPU: ${parts.join(', ')}`;
}
