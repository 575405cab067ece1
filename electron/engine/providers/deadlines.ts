// Overall deadlines of a vendor export's phases (create, wait, download): each phase runs under a
// signal of its own that aborts, with a JobError saying which phase ran out, when its time is up;
// the job's own signal (cancel, shutdown) still aborts it too.
import type { Clock } from '../clock.ts';
import { JobError } from '../jobs/job-types.ts';

export type VendorPhase = 'create' | 'wait' | 'download';

export interface VendorDeadlines {
  /** Creating (or re-reading) the vendor export, retries included. */
  readonly createDeadlineMs: number;
  /** The vendor's own work, polled until it is no longer pending or processing. */
  readonly maxWaitMs: number;
  /** Downloading and verifying every file, link refreshes included. */
  readonly downloadDeadlineMs: number;
}

export const defaultVendorDeadlines: VendorDeadlines = {
  createDeadlineMs: 30 * 60_000,
  maxWaitMs: 6 * 3600_000,
  downloadDeadlineMs: 6 * 3600_000,
};

const what: Record<VendorPhase, string> = {
  create: 'create the export',
  wait: 'finish the export',
  download: 'deliver the files',
};

export function phaseLimit(d: VendorDeadlines, phase: VendorPhase): number {
  return phase === 'create'
    ? d.createDeadlineMs
    : phase === 'wait'
      ? d.maxWaitMs
      : d.downloadDeadlineMs;
}

/** A duration in words: "6 h", "30 min", "12 s", "150 ms". */
export function inWords(ms: number): string {
  if (ms >= 3600_000 && ms % 3600_000 === 0) return `${ms / 3600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/** The failure of a phase past its deadline, in words. */
export function deadlineError(
  vendor: string,
  phase: VendorPhase,
  ms: number,
  details: Record<string, unknown> = {},
): JobError {
  return new JobError(
    phase === 'download' ? 'DOWNLOAD_FAILED' : 'PROVIDER_ERROR',
    `${vendor} did not ${what[phase]} within ${inWords(ms)} (the ${phase} deadline); gave up.`,
    { deadline: phase, deadline_ms: ms, ...details },
  );
}

/**
 * Runs `fn` with a signal that aborts when `parent` does or when `ms` have passed on `clock`
 * (with `error()` as its reason).
 */
export async function withDeadline<T>(
  clock: Clock,
  parent: AbortSignal,
  ms: number,
  error: () => JobError,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  const onParent = () => ctl.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  const timer = clock.setTimeout(() => ctl.abort(error()), ms);
  try {
    return await fn(ctl.signal);
  } catch (err) {
    // Whatever broke as the deadline struck (a socket, a sleep) reports the deadline instead.
    if (ctl.signal.aborted && !parent.aborted) throw ctl.signal.reason as Error;
    throw err;
  } finally {
    timer.cancel();
    parent.removeEventListener('abort', onParent);
  }
}

/** One job's phases: at most one runs at a time; a phase started inside another keeps the outer one. */
export class PhaseDeadlines {
  /** The running phase's signal, or null between phases. */
  signal: AbortSignal | null = null;
  /** Called with each phase's signal as it starts (the job watches its retries); returns the undo. */
  onSignal: ((signal: AbortSignal) => () => void) | null = null;
  private readonly clock: Clock;
  private readonly parent: AbortSignal;
  private readonly limits: VendorDeadlines;
  private readonly error: (phase: VendorPhase, ms: number) => JobError;

  constructor(
    clock: Clock,
    parent: AbortSignal,
    limits: VendorDeadlines,
    error: (phase: VendorPhase, ms: number) => JobError,
  ) {
    this.clock = clock;
    this.parent = parent;
    this.limits = limits;
    this.error = error;
  }

  run<T>(phase: VendorPhase, fn: () => Promise<T>): Promise<T> {
    if (this.signal) return fn();
    const ms = phaseLimit(this.limits, phase);
    return withDeadline(
      this.clock,
      this.parent,
      ms,
      () => this.error(phase, ms),
      async (signal) => {
        this.signal = signal;
        const stop = this.onSignal?.(signal);
        try {
          return await fn();
        } finally {
          stop?.();
          this.signal = null;
        }
      },
    );
  }
}
