// The job queue: a concurrency limit, leases, progress to store and bus, crash recovery, cancel.
// What a job does is its kind's business: local and provider exports alike are a `JobRunner`
// (`run(spec, hooks)` from jobs/), chosen by the export's source. Solo, pending exports are polled
// from the table; in team mode (a `queue`) the queue every engine process shares delivers them.
import { randomBytes } from 'node:crypto';
import type { TimerHandle } from '../clock.ts';
import type { EngineContext } from '../context.ts';
import { crashPoint } from '../safety/fault-injection.ts';
import { removePlainParts } from '../storage/plain-parts.ts';
import type { ExportRow } from './exports-repo.ts';
import { JobError } from '../jobs/job-types.ts';
import { plainDestination, runnableHere } from './job-spec.ts';
import { jobKindOf, runJob } from './run-job.ts';
import { runInJobScope } from './job-scope.ts';
import { progressWriter } from './job-progress.ts';
import { storedRequest } from './stored-request.ts';
import type { Delivery, WorkQueue } from './work-queue.ts';
import type { RunnerDeps } from './runner-deps.ts';

/** A job interrupted this many times (its process died while it ran) fails with INTERRUPTED. */
export const MAX_ATTEMPTS = 3;
/** A running job's lease; renewed every LEASE_MS / 4 while this process runs it. */
export const LEASE_MS = 60_000;
/**
 * Provider exports run at once, apart from local ones: they mostly wait on a vendor (polling for
 * minutes), so they must not hold the worker slots local exports need. Each provider's own
 * `max_concurrent_exports` still applies inside this.
 */
export const REMOTE_CONCURRENCY = 16;
export type { RunnerDeps } from './runner-deps.ts';

interface Running {
  readonly id: string;
  readonly local: boolean;
  readonly abort: AbortController;
  done: Promise<void>;
}

export function createRunner(ctx: EngineContext, deps: RunnerDeps) {
  const { clock } = ctx;
  const { repo } = deps;
  const owner = randomBytes(8).toString('hex');
  const running = new Map<string, Running>();
  const progressMs = deps.progressMs ?? 250;
  let accepting = false;
  // Whether pending exports of a source may be waiting (solo): false once a read of them found
  // none left to take, true again when one is added or put back. It spares the two reads per
  // start and end of a job that a stream of small exports would make of an empty queue.
  const maybePending: Record<ExportRow['source_type'], boolean> = { dataset: true, provider: true };
  let heartbeatTimer: TimerHandle | null = null;
  let watchTimer: TimerHandle | null = null;
  const { queue } = deps;

  const lease = (): Partial<ExportRow> => ({
    lease_owner: owner,
    lease_expires_at: clock.now() + LEASE_MS,
  });

  /** A job whose process is gone: back to the queue, or failed once it has had its chances. */
  function reclaim(row: ExportRow): void {
    if (row.attempts >= MAX_ATTEMPTS) {
      // A vendor file's hidden decompressed part the crash left in the destination goes too.
      const dest = plainDestination(storedRequest(row).destination);
      if (dest) removePlainParts(dest, row.id);
      deps.fail(
        row,
        'INTERRUPTED',
        `The export was interrupted ${row.attempts} times (the app stopped while it ran) and was given up.`,
      );
      return;
    }
    const ok = repo.requeue(row.id, clock.now(), {
      progress_stage: 'waiting to resume',
      lease_owner: null,
      lease_expires_at: null,
    });
    maybePending[row.source_type] = true;
    if (ok) deps.changed(row.id);
  }

  /** Start-up: whatever is processing belonged to a process that is gone (leases are per run). */
  function recover(): void {
    for (const row of repo.byStatus('processing')) if (row.lease_owner !== owner) reclaim(row);
    const removed = deps.files.removePartFiles();
    if (removed > 0) ctx.logger.info('removed partial files left by a crash', { count: removed });
  }

  /**
   * Renews our leases, and reclaims what nobody runs: a job of ours that is no longer running
   * here, or another process's job whose lease ran out. No export stays processing forever.
   */
  function heartbeat(): void {
    heartbeatTimer = null;
    if (!accepting) return;
    const now = clock.now();
    repo.renewLeases([...running.keys()], owner, now + LEASE_MS);
    // In team mode the queue decides who is dead; what is not final is announced again (a job
    // lost between storing the row and announcing it, or one that ran out of deliveries).
    if (queue) announce([...repo.byStatus('pending'), ...repo.byStatus('processing')]);
    else
      for (const row of repo.byStatus('processing')) {
        if (running.has(row.id)) continue;
        if (row.lease_owner === owner || (row.lease_expires_at ?? 0) <= now) reclaim(row);
      }
    // Now and then the queue is read whatever the hints say.
    maybePending.dataset = maybePending.provider = true;
    kick();
    heartbeatTimer = clock.setTimeout(heartbeat, LEASE_MS / 4);
  }

  /** Starts pending exports, oldest first, while their pool (local or provider) has room. */
  function kick(): void {
    if (!accepting || queue) return;
    const local = localRunning();
    const remote = running.size - local;
    fill('dataset', ctx.config.concurrency - local);
    fill('provider', REMOTE_CONCURRENCY - remote);
  }

  /** Starts up to `room` pending exports of one source. */
  function fill(source: ExportRow['source_type'], room: number): void {
    if (room <= 0 || !maybePending[source]) return;
    // A pending export may still be stopping here (a clean shutdown): read past those.
    const limit = room + running.size;
    const pending = repo.pendingOf(source, limit);
    let left = false;
    for (const next of pending) {
      if (room === 0 || running.has(next.id) || !runnableHere(ctx, next) || !take(next)) {
        left = true;
        continue;
      }
      room--;
    }
    if (!left && pending.length < limit) maybePending[source] = false;
  }

  /** What a start writes: this process's lease, one more attempt, the kind's first stage. */
  const startFields = (next: ExportRow, now: number): Partial<ExportRow> => ({
    started_at: next.started_at ?? now,
    attempts: next.attempts + 1,
    progress_stage: jobKindOf(deps, next)?.firstStage ?? 'starting',
    error_json: null,
    ...lease(),
  });

  /** pending -> processing under this process's lease, and runs it; false when it was not pending. */
  function take(next: ExportRow): boolean {
    const now = clock.now();
    // A dataset export's start is committed lazily (store/durability.ts): lost to a power cut, the
    // export is pending again and runs again, as if the cut came a moment earlier. A provider
    // export's start is on disk before its job asks the vendor for anything.
    const lazy = next.source_type === 'dataset';
    const fields = startFields(next, now);
    const ok = repo.transition(next.id, 'processing', now, fields, undefined, { lazy });
    if (!ok) return false;
    deps.changed(next.id);
    start(repo.mustGet(next.id));
    return true;
  }

  /**
   * Inside the (lazy) transaction that accepts `row`: starts it in that same commit when the queue
   * would start it at once anyway (solo, a dataset export, a free worker slot, no older export
   * waiting), so a small export costs one commit and one sync of the WAL less. Returns what runs
   * once that transaction has committed (its event, its worker), or null: then `added`, as usual.
   * A crash between the commit and the worker is a crash of a running job (recovery, heartbeat).
   */
  function acceptAndStart(row: ExportRow): (() => void) | null {
    if (!accepting || queue || row.source_type !== 'dataset' || maybePending.dataset) return null;
    if (localRunning() >= ctx.config.concurrency || !runnableHere(ctx, row)) return null;
    const now = clock.now();
    repo.startInInsert(row.id, now, startFields(row, now));
    return () => {
      deps.changed(row.id);
      start(repo.mustGet(row.id));
    };
  }

  const localRunning = (): number => {
    let n = 0;
    for (const r of running.values()) if (r.local) n++;
    return n;
  };

  function start(row: ExportRow): void {
    const abort = new AbortController();
    const entry: Running = {
      id: row.id,
      local: row.source_type === 'dataset',
      abort,
      done: Promise.resolve(),
    };
    running.set(row.id, entry);
    const progress = progressWriter(row.id, {
      repo,
      clock,
      everyMs: progressMs,
      // In team mode the lease is renewed only by the heartbeat, which checks the owner: a write
      // here must never put back a lease another process has taken over.
      lease: queue ? () => ({}) : lease,
      stopped: () => abort.signal.aborted,
      told: deps.progressed ?? deps.changed,
    });
    // An error that escapes this job's work (no listener, no catch) fails this export only, even
    // when the work itself never settles; its work is then stopped.
    let crash: (err: Error) => void = () => undefined;
    const crashed = new Promise<never>((_, reject) => (crash = reject));
    const work = runInJobScope(
      row.id,
      (err) => crash(err),
      () => runJob(ctx, deps, row, abort.signal, progress),
    );
    const job = Promise.race([work, crashed]);
    crashed.catch(() => setImmediate(() => abort.abort(new Error('the export crashed'))));
    entry.done = job
      .then(async (files) => {
        if (abort.signal.aborted) return;
        await deps.finish(repo.mustGet(row.id), files, abort.signal);
      })
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        const current = repo.get(row.id);
        if (!current) return;
        if (err instanceof JobError) deps.fail(current, err.code, err.message, err.details);
        else {
          ctx.logger.error('export failed unexpectedly', {
            id: row.id,
            error: (err as Error).stack ?? String(err),
          });
          deps.fail(
            current,
            'INTERNAL',
            `The export failed unexpectedly: ${(err as Error).message}`,
          );
        }
      })
      .finally(() => {
        running.delete(row.id);
        kick();
      });
  }

  /** Team mode: announces exports to the queue; a failure is logged, the next heartbeat retries. */
  function announce(rows: readonly ExportRow[]): void {
    if (!queue || rows.length === 0) return;
    queue.enqueue(rows.map((r) => ({ id: r.id, kind: r.source_type }))).catch((err: unknown) => {
      ctx.logger.warn('could not announce exports to the team queue; the heartbeat tries again', {
        count: rows.length,
        error: (err as Error).message,
      });
    });
  }

  /**
   * Team mode: the queue delivered an export's job. The job completes when this returns, so it
   * returns once the export is final (or another process took it over); it throws to hand the
   * job back (a clean shutdown requeued the export). A delivery for an export already final or
   * gone (a duplicate) does nothing.
   */
  async function deliver(d: Delivery): Promise<void> {
    const id = d.exportId;
    await running.get(id)?.done; // an earlier claim of ours, lost, still stopping
    if (!accepting) throw new Error(`handed back: this engine is stopping (${id})`);
    let row = repo.refresh(id);
    if (row?.status === 'processing') {
      // Its job came back to the queue: the process that ran it died or lost its claim. Another
      // attempt, or INTERRUPTED once it has had MAX_ATTEMPTS.
      reclaim(row);
      row = repo.refresh(id);
    }
    if (row?.status === 'pending' && !runnableHere(ctx, row))
      throw new Error(`handed back: the dataset of ${id} is kept by another engine`);
    if (row?.status !== 'pending' || !take(row)) return;
    crashPoint('team:export-taken');
    const entry = running.get(id)!;
    // The queue took the job back (no heartbeat got through): another process may run it now.
    const lost = () => entry.abort.abort();
    d.signal.addEventListener('abort', lost, { once: true });
    try {
      await entry.done;
    } finally {
      d.signal.removeEventListener('abort', lost);
    }
    const after = repo.refresh(id);
    // Stopped here without an end (a clean stop, or the queue took the job back): the export goes
    // back to pending and its job back to the queue, for another delivery.
    if (after?.status === 'processing' && after.lease_owner === owner) handBack(id);
    if (after?.status === 'processing' ? after.lease_owner === owner : after?.status === 'pending')
      throw new Error(`handed back: stopped before the export ended (${id})`);
    // Canceled or deleted by another process while it ran here: its files here go too.
    if (entry.abort.signal.aborted && after?.status !== 'processing') deps.files.removeExport(id);
  }

  /** Team mode: stops the exports running here that were canceled, deleted or taken over elsewhere. */
  function watch(): void {
    watchTimer = null;
    if (!accepting) return;
    if (running.size > 0) {
      const ours = new Set<string>();
      for (const r of repo.byStatus('processing')) if (r.lease_owner === owner) ours.add(r.id);
      for (const [id, entry] of running) if (!ours.has(id)) entry.abort.abort();
    }
    watchTimer = clock.setTimeout(watch, deps.watchMs ?? 1000);
  }

  function startTeam(q: WorkQueue): void {
    const removed = deps.files.removePartFiles();
    if (removed > 0) ctx.logger.info('removed partial files left by a crash', { count: removed });
    accepting = true;
    // Rows stored by a process that died before announcing them, or left by a solo run.
    announce([...repo.byStatus('pending'), ...repo.byStatus('processing')]);
    const failed = (err: unknown) =>
      ctx.logger.error('the team queue refused a worker', { error: (err as Error).message });
    q.work('dataset', ctx.config.concurrency, deliver).catch(failed);
    q.work('provider', REMOTE_CONCURRENCY, deliver).catch(failed);
    heartbeatTimer = clock.setTimeout(heartbeat, LEASE_MS / 4);
    watchTimer = clock.setTimeout(watch, deps.watchMs ?? 1000);
  }

  /** A clean stop: back to pending for the next start or another process; not a failed attempt. */
  function handBack(id: string): boolean {
    const attempts = Math.max(0, (repo.refresh(id)?.attempts ?? 1) - 1);
    const fields = { progress_stage: 'waiting to resume', lease_owner: null, attempts };
    maybePending.dataset = maybePending.provider = true;
    return repo.requeue(id, clock.now(), { ...fields, lease_expires_at: null }, owner);
  }

  /** Stops a running job now (a local one loses its .part); false when it was not running here. */
  async function stop(id: string): Promise<boolean> {
    const entry = running.get(id);
    if (!entry) return false;
    entry.abort.abort();
    await entry.done;
    return true;
  }

  return {
    start() {
      if (queue) return startTeam(queue);
      recover();
      accepting = true;
      kick();
      heartbeatTimer = clock.setTimeout(heartbeat, LEASE_MS / 4);
    },
    kick,
    /** A new export was stored: start it (solo) or announce it to the team queue. */
    acceptAndStart,
    added(id: string) {
      const row = repo.get(id);
      if (queue) {
        if (row) announce([row]);
        return;
      }
      if (row) maybePending[row.source_type] = true;
      else maybePending.dataset = maybePending.provider = true;
      kick();
    },
    stop,
    isRunning: (id: string) => running.has(id),
    runningCount: () => running.size,
    /** Shutdown: running jobs stop now and go back to pending, so the next start resumes them. */
    async close() {
      accepting = false;
      heartbeatTimer?.cancel();
      heartbeatTimer = null;
      watchTimer?.cancel();
      watchTimer = null;
      await queue?.stopTaking();
      const ids = [...running.keys()];
      await Promise.all(ids.map((id) => stop(id)));
      for (const id of ids) handBack(id);
      // Each delivery handler now hands its job back (its export is pending again), then it closes.
      await queue?.close();
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
