// One engine process of a team, as far as exports go: its own data folder, the exports service
// on a store file shared with the other processes, and the pg-boss queue they share. The team
// queue tests run two of these in one test process, or one in a child (queue-child.ts) to kill.
import type { DatasetColumn } from '../../shared/schemas/datasets.ts';
import { ApiError } from '../../shared/errors.ts';
import { systemClock } from '../../electron/engine/clock.ts';
import { createExportsRepo, type ExportsRepo } from '../../electron/engine/exports/exports-repo.ts';
import {
  createExportsService,
  type ExportsService,
} from '../../electron/engine/exports/exports-service.ts';
import { openTeamQueue, type WorkQueue } from '../../electron/engine/exports/work-queue.ts';
import { createFileStore } from '../../electron/engine/storage/files.ts';
import { createPresigner } from '../../electron/engine/storage/presigner.ts';
import { makeContext } from '../helpers/context.ts';

export interface QueueEngineOptions {
  readonly storeFile: string;
  readonly pgUrl: string;
  /** pg-boss schema: one per test keeps tests apart. */
  readonly schema: string;
  /** The dataset `people` every export reads. */
  readonly dataset: { file: string; columns: DatasetColumn[]; rowCount: number };
  readonly concurrency?: number;
  /** false: stores and announces exports but runs none (no workers). */
  readonly start?: boolean;
}

export interface QueueEngine {
  readonly svc: ExportsService;
  /** The repo on this process's connection; `refresh` reads past its cache. */
  readonly repo: ExportsRepo;
  readonly queue: WorkQueue;
  readonly filesDir: string;
  close(): Promise<void>;
}

/** Short timings, so a dead process is noticed within seconds (pg-boss's least heartbeat is 10 s). */
export const testQueueTimings = {
  heartbeatSeconds: 10,
  heartbeatRefreshSeconds: 1,
  monitorIntervalSeconds: 1,
  pollingIntervalSeconds: 0.5,
} as const;

export async function startQueueEngine(o: QueueEngineOptions): Promise<QueueEngine> {
  // Real time: the queue's heartbeats and the other processes keep it.
  const ctx = {
    ...makeContext(
      { concurrency: o.concurrency ?? 2 },
      { storeFile: o.storeFile, dirPrefix: 'em-team-' },
    ),
    clock: systemClock,
  };
  const { db, paths } = ctx;
  const queue = await openTeamQueue(o.pgUrl, { schema: o.schema, ...testQueueTimings });
  const repo = createExportsRepo(db);
  const svc = createExportsService(ctx, {
    repo,
    datasets: {
      describe(name) {
        if (name !== 'people') throw new ApiError('INVALID_REQUEST', `unknown dataset "${name}"`);
        return { ...o.dataset, timeColumn: 'at' };
      },
    },
    files: createFileStore(paths.filesDir),
    presigner: createPresigner(paths.dataDir),
    progressMs: 0,
    queue,
    watchMs: 100,
  });
  if (o.start !== false) svc.start();
  return {
    svc,
    repo,
    queue,
    filesDir: paths.filesDir,
    async close() {
      await svc.close();
      ctx.cleanup();
    },
  };
}
