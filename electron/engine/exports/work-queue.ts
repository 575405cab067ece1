// Team mode's shared job queue, as the runner sees it: exports are announced to it once stored and
// delivered to whichever engine process has room. The implementation (pg-boss on PostgreSQL,
// pg-boss-queue.ts) loads only when team mode is asked for, so a solo start stays quick.
import type { Logger } from '../logger.ts';

/** Each pool of the runner (local exports, provider exports) has a queue of its own. */
export type QueueKind = 'dataset' | 'provider';

export interface Delivery {
  readonly exportId: string;
  /** Aborted when the queue takes the job back (its claim was lost: another process may run it). */
  readonly signal: AbortSignal;
  /** 0 on the first delivery; more when the job came back (a process died or handed it back). */
  readonly retryCount: number;
}

export interface WorkQueue {
  /** Where the queue lives, for logs (never a password). */
  readonly location: string;
  /** Announces exports; one job per export at a time, so announcing twice adds nothing. */
  enqueue(items: readonly { id: string; kind: QueueKind }[]): Promise<void>;
  /**
   * Delivers jobs of one kind, at most `concurrency` at a time in this process. The job completes
   * when the handler resolves; a handler that throws hands the job back for another delivery.
   */
  work(
    kind: QueueKind,
    concurrency: number,
    handler: (d: Delivery) => Promise<void>,
  ): Promise<void>;
  /** Stops taking new jobs; the ones being handled go on. */
  stopTaking(): Promise<void>;
  /** Waits for the handlers that run (each completes or hands back its job), then disconnects. */
  close(): Promise<void>;
}

export interface TeamQueueOptions {
  /** pg-boss's schema in the database (default `em_queue`). */
  readonly schema?: string;
  /** No heartbeat for this long and a job's process counts as dead (pg-boss minimum 10; default 30). */
  readonly heartbeatSeconds?: number;
  /** How often a worker heartbeats (default heartbeatSeconds / 3). */
  readonly heartbeatRefreshSeconds?: number;
  /** How often dead heartbeats are looked for (default 10). */
  readonly monitorIntervalSeconds?: number;
  /** How often an idle worker asks for a job without a notification (default 5; NOTIFY wakes it). */
  readonly pollingIntervalSeconds?: number;
  readonly logger?: Logger;
}

/**
 * Timings from the environment, for tests and operators who want a dead process noticed sooner or
 * later: EXPORT_MANAGER_QUEUE_HEARTBEAT_SECONDS (at least 10, pg-boss's least) and
 * EXPORT_MANAGER_QUEUE_MONITOR_SECONDS (at least 1). Anything else is refused with the reason.
 */
export function queueTimingsFromEnv(env: NodeJS.ProcessEnv): TeamQueueOptions {
  const read = (name: string, least: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < least)
      throw new Error(
        `${name} must be a whole number of seconds, at least ${least}; got "${raw}".`,
      );
    return n;
  };
  const heartbeatSeconds = read('EXPORT_MANAGER_QUEUE_HEARTBEAT_SECONDS', 10);
  const monitorIntervalSeconds = read('EXPORT_MANAGER_QUEUE_MONITOR_SECONDS', 1);
  return {
    ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}),
    ...(monitorIntervalSeconds !== undefined ? { monitorIntervalSeconds } : {}),
  };
}

/** Connects to the queue at `url` (postgres://…), creating its schema and queues if needed. */
export async function openTeamQueue(
  url: string,
  options: TeamQueueOptions = {},
): Promise<WorkQueue> {
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error(`The team queue needs a postgres:// URL; got "${url.slice(0, 80)}".`);
  const { openPgBossQueue } = await import('./pg-boss-queue.ts');
  return openPgBossQueue(url, options);
}
