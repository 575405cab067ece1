// The changes between runs are computed in a worker thread: the engine answers HTTP meanwhile,
// and a comparison of hundreds of thousands of rows fits the worker's small heap.
import { afterEach, expect, it } from 'vitest';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import {
  diffInWorker,
  highestInWorker,
} from '../../../electron/engine/schedules/changes-runner.ts';
import { makeServer, type TestServer } from '../../helpers/server.ts';
import { tempDir } from '../../helpers/context.ts';
import { recordingLogger } from '../../helpers/recording-logger.ts';

const dirs: string[] = [];
let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function writeCsv(path: string, rows: number, row: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write('id,name,amount\n');
  for (let i = 0; i < rows; i++) if (!out.write(row(i))) await once(out, 'drain');
  out.end();
  await once(out, 'close');
}

it('keeps the engine answering HTTP while a large comparison runs, with the right counts', async () => {
  const dir = tempDir('em-changes-big-');
  dirs.push(dir);
  const N = 300_000;
  const prev = join(dir, 'prev.csv');
  const next = join(dir, 'next.csv');
  // next: every 10th row removed, every 7th changed, N/20 rows added at the end.
  await writeCsv(prev, N, (i) => `${i},name ${i},${i % 1000}\n`);
  await writeCsv(next, N + N / 20, (i) =>
    i >= N
      ? `${i},added ${i},1\n`
      : i % 10 === 0
        ? `${N * 10 + i},moved ${i},0\n`
        : `${i},name ${i},${i % 7 === 0 ? 'x' : i % 1000}\n`,
  );
  // What the engine logs goes into a failure's message: an answer other than 200 says why.
  const log = recordingLogger();
  server = await makeServer({ demoRows: 10, logger: log.logger });
  const started = performance.now();
  let done = false;
  const diff = diffInWorker({
    previous: prev,
    next,
    out: join(dir, 'changes.csv'),
    tmpDir: join(dir, 'tmp'),
    key: 'id',
  }).finally(() => (done = true));
  // The time between one answer and the next: a stalled thread shows as a long gap.
  const gaps: number[] = [];
  let last = performance.now();
  while (!done) {
    const res = await server.call({ url: '/v1/schedules' });
    expect(res.statusCode, `${res.body}\n${log.text()}`).toBe(200);
    const t = performance.now();
    gaps.push(t - last);
    last = t;
    // inject() resolves without reaching the poll phase; let the worker's messages in.
    await new Promise((r) => setTimeout(r, 5));
  }
  const changes = await diff;
  const total = performance.now() - started;
  const removedIds = N / 10;
  const changedRows = [...Array(N).keys()].filter((i) => i % 10 !== 0 && i % 7 === 0).length;
  expect(changes).toEqual({
    added: N / 20 + removedIds,
    removed: removedIds,
    changed: changedRows,
    key: 'id',
  });
  const lines = readFileSync(join(dir, 'changes.csv'), 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(1 + changes.added + changes.removed + changes.changed);
  // The engine's thread was free: many answers, none waiting a large share of the comparison.
  expect(gaps.length).toBeGreaterThan(20);
  expect(Math.max(...gaps) / total).toBeLessThan(0.1);
}, 120_000);

it('finds the high-water mark of a run file in a worker, typed as the column is', async () => {
  const dir = tempDir('em-mark-');
  dirs.push(dir);
  const path = join(dir, 'run.csv');
  await writeCsv(path, 1000, (i) => `${(i * 7919) % 1000},n,${i === 3 ? '' : i}\n`);
  expect(await highestInWorker({ path, column: 'id' })).toEqual({
    value: 999,
    rows: 1000,
  });
  expect(threadId).toBe(0);
});

it('reports a file that cannot be read as an error, not a hang', async () => {
  const dir = tempDir('em-changes-bad-');
  dirs.push(dir);
  await expect(
    diffInWorker({
      previous: join(dir, 'missing.csv'),
      next: join(dir, 'missing.csv'),
      out: join(dir, 'out.csv'),
      tmpDir: dir,
    }),
  ).rejects.toThrow(/ENOENT|no such file/);
});
