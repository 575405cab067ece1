import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import {
  createWorkerPool,
  runOnWorker,
  type WorkerPool,
} from '../../../electron/engine/exports/worker-pool.ts';
import { tempDir } from '../../helpers/context.ts';
import { peopleColumns, peopleInput, writeDataset } from './harness.ts';

const workerFile = new URL('../../../electron/engine/exports/export-worker.ts', import.meta.url);
const limits = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 };
let pool: WorkerPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

const input = (datasetFile: string, finalPath: string, rows: number) =>
  peopleInput(datasetFile, finalPath, 'state', { maxRows: rows + 1 });

describe('warm export workers', () => {
  it('runs export after export on one thread, each file whole', async () => {
    const dir = tempDir();
    const ds = join(dir, 'people.sqlite');
    writeDataset(ds, peopleColumns, 500);
    pool = createWorkerPool(workerFile, limits, 2);
    const threads = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const holder: { worker?: Worker } = {};
      const out = join(dir, `out-${i}.csv`);
      const running = runOnWorker(pool, input(ds, out, 500), holder, 256, () => undefined);
      threads.add(holder.worker!.threadId);
      const done = await running;
      expect(done).toMatchObject({ type: 'done', rows: 500 });
      expect(holder.worker).toBeUndefined();
      const lines = readFileSync(out, 'utf8').split('\r\n').filter(Boolean);
      expect(lines).toHaveLength(501);
      expect(lines[0]).toBe('id,state');
      expect(pool.idleCount()).toBe(1);
    }
    expect(threads.size).toBe(1);
  });

  it('a worker terminated mid-export (cancel) fails it INTERRUPTED, leaves no part, and is not reused', async () => {
    const dir = tempDir();
    const ds = join(dir, 'people.sqlite');
    writeDataset(ds, peopleColumns, 200_000);
    pool = createWorkerPool(workerFile, limits, 2);
    const holder: { worker?: Worker } = {};
    const out = join(dir, 'big.csv');
    let first: number | null = null;
    // Slow enough (gzip at level 9) to report progress: an export tells nothing in its first 50 ms.
    const slow = { ...input(ds, out, 200_000), compression: 'gzip' as const, level: 9 };
    const job = runOnWorker(pool, slow, holder, 256, (m) => {
      if (m.rows > 0 && first === null && holder.worker) {
        first = holder.worker.threadId;
        void holder.worker.terminate();
      }
    });
    await expect(job).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect(existsSync(out + '.part')).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(pool.idleCount()).toBe(0);
    const again: { worker?: Worker } = {};
    const running = runOnWorker(
      pool,
      input(ds, join(dir, 'again.csv'), 200_000),
      again,
      256,
      () => undefined,
    );
    const next = again.worker!.threadId;
    const done = await running;
    expect(done.rows).toBe(200_000);
    expect(next).not.toBe(first);
  }, 60_000);
});
