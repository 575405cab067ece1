// The team queue on pg-boss: one queue per runner pool (`exports-dataset`, `exports-provider`), one
// job per export at a time (policy `exclusive` keyed by the export id, so a create retried or an
// export announced again by every engine's start adds nothing), a heartbeat so a job whose process
// died goes to another within heartbeatSeconds plus one monitor pass.
import { PgBoss, type Job } from 'pg-boss';
import { quietWarn, silentLogger } from '../logger.ts';
import type { Delivery, QueueKind, TeamQueueOptions, WorkQueue } from './work-queue.ts';
import { redactUrl } from '../store/postgres/pg-url.ts';

/** pg-boss's own ceiling; the export's own deadlines (vendor phases) end it long before. */
const EXPIRE_SECONDS = 24 * 60 * 60;
/**
 * Deliveries a job gets: a death or a clean hand-back each costs one. The export's own
 * MAX_ATTEMPTS decides when it is given up; a job that runs out anyway is announced again by the
 * next engine start or heartbeat, since its export is still pending or processing.
 */
const RETRY_LIMIT = 10;

const queueName = (kind: QueueKind) => `exports-${kind}`;

interface JobData {
  readonly exportId: string;
}

export async function openPgBossQueue(url: string, o: TeamQueueOptions): Promise<WorkQueue> {
  const logger = o.logger ?? silentLogger;
  const heartbeatSeconds = o.heartbeatSeconds ?? 30;
  const monitorIntervalSeconds = o.monitorIntervalSeconds ?? 10;
  const pollingIntervalSeconds = o.pollingIntervalSeconds ?? 5;
  const heartbeatRefreshSeconds = o.heartbeatRefreshSeconds ?? heartbeatSeconds / 3;
  const location = redactUrl(url);
  const boss = new PgBoss({
    connectionString: url,
    schema: o.schema ?? 'em_queue',
    // The monitor is what finds a dead heartbeat; it runs on the supervise tick.
    superviseIntervalSeconds: monitorIntervalSeconds,
    monitorIntervalSeconds,
    // A new job wakes an idle worker at once; polling is the backstop (a job back from a death).
    useListenNotify: true,
    schedule: false,
  });
  // A database that is down makes every worker fail every poll: the first error is logged, then
  // one line a minute with how many more there were, so the log stays readable through an outage.
  const warn = quietWarn(logger, 'team queue error');
  boss.on('error', (err: Error) => warn({ queue: location, error: err.message }));
  try {
    await boss.start();
    for (const kind of ['dataset', 'provider'] as const) {
      await boss.createQueue(queueName(kind), {
        policy: 'exclusive',
        notify: true,
        heartbeatSeconds,
        expireInSeconds: EXPIRE_SECONDS,
        retryLimit: RETRY_LIMIT,
        retryDelay: 1,
        retryBackoff: true,
        retryDelayMax: 30,
      });
    }
  } catch (err) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    throw new Error(`The team queue at ${location} cannot be used: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const working: QueueKind[] = [];

  return {
    location,
    async enqueue(items) {
      for (const kind of ['dataset', 'provider'] as const) {
        const jobs = items
          .filter((i) => i.kind === kind)
          .map((i) => ({
            data: { exportId: i.id } satisfies JobData,
            singletonKey: i.id,
            heartbeatSeconds,
          }));
        if (jobs.length > 0) await boss.insert(queueName(kind), jobs);
      }
    },
    async work(kind, concurrency, handler) {
      working.push(kind);
      await boss.work<JobData>(
        queueName(kind),
        {
          localConcurrency: Math.max(1, concurrency),
          batchSize: 1,
          pollingIntervalSeconds,
          notifyPollingIntervalSeconds: pollingIntervalSeconds,
          heartbeatRefreshSeconds,
        },
        async ([job]: Job<JobData>[]) => {
          if (!job) return;
          const delivery: Delivery = {
            exportId: job.data.exportId,
            signal: job.signal,
            retryCount: job.retryCount,
          };
          try {
            await handler(delivery);
          } finally {
            // A worker waits out its polling interval after a job unless woken, so a backlog would
            // start one export per interval per worker: wake this queue's workers to fetch now.
            for (const w of boss.getWipData())
              if (w.name === queueName(kind) && w.state === 'active') boss.notifyWorker(w.id);
          }
        },
      );
    },
    async stopTaking() {
      await Promise.all(working.map((k) => boss.offWork(queueName(k), { wait: false })));
    },
    async close() {
      await boss.stop({ graceful: true, timeout: 30_000 });
    },
  };
}
