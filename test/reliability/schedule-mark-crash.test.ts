// kill -9 between an incremental run's completed export and the schedule's high-water mark: the
// restarted engine finishes that run, and the runs together hold every row exactly once.
import { afterEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CsvParser } from '../../electron/engine/datasets/csv-parser.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

let serve: ServeProcess | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await serve?.stop();
  serve = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  number: number;
  status: string;
  rows: number | null;
  export_id: string | null;
  since_mark: number | null;
  high_water_mark: number | null;
}

/** (Re)imports `orders` with ids 1..n, in a shuffled file order. */
async function importOrders(s: ServeProcess, dir: string, n: number): Promise<void> {
  await s.api('DELETE', '/v1/datasets/orders');
  const path = join(dir, `orders-${n}.csv`);
  const ids = Array.from({ length: n }, (_, i) => i + 1).sort(
    (a, b) => ((a * 7) % 13) - ((b * 7) % 13),
  );
  writeFileSync(path, 'id,total\n' + ids.map((i) => `${i},${i * 3}\n`).join(''));
  expect((await s.api('POST', '/v1/datasets', { name: 'orders', path })).status).toBe(202);
  for (let i = 0; i < 600; i++) {
    const d = await s.api<{ data: { status: string } }>('GET', '/v1/datasets/orders');
    if (d.json.data.status === 'ready') return;
    await sleep(50);
  }
  throw new Error('import did not finish');
}

async function runsOf(s: ServeProcess, id: string): Promise<Run[]> {
  return (await s.api<{ data: Run[] }>('GET', `/v1/schedules/${id}/runs`)).json.data;
}

async function waitRun(s: ServeProcess, id: string, n: number): Promise<Run> {
  for (let i = 0; i < 600; i++) {
    // The schedule first, then the run: read the other way round, a run that ended between the
    // two reads was returned as it was before (still pending).
    const sch = await s.api<{ data: { running_export_id: string | null } }>(
      'GET',
      `/v1/schedules/${id}`,
    );
    const run = (await runsOf(s, id)).find((r) => r.number === n);
    if (run && run.status !== 'starting' && sch.json.data.running_export_id === null) return run;
    await sleep(50);
  }
  throw new Error(`run #${n} did not finish`);
}

/** The ids in a run's file, downloaded through its link. */
async function idsOf(s: ServeProcess, exportId: string): Promise<number[]> {
  const exp = await s.api<{ data: { download_url: string } }>('GET', `/v1/exports/${exportId}`);
  const res = await fetch(exp.json.data.download_url);
  expect(res.status).toBe(200);
  const rows: string[][] = [];
  const parser = new CsvParser((f) => rows.push(f));
  parser.push(gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8'));
  parser.end();
  return rows.slice(1).map((r) => Number(r[0]));
}

it('killed after the run completed but before its mark moved: no row lost, none repeated', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'em-mark-crash-'));
  const files = mkdtempSync(join(tmpdir(), 'em-mark-files-'));
  dirs.push(dataDir, files);
  serve = await startServe(dataDir, ['--demo-rows', '10']);
  await importOrders(serve, files, 100);
  await serve.stop();

  serve = await startServe(dataDir, ['--demo-rows', '10'], 0, {
    ...process.env,
    EXPORT_MANAGER_CRASH_AT: 'schedule:mark-pending',
  });
  const crashed = new Promise<void>((r) => serve!.child.once('exit', () => r()));
  const created = await serve.api<{ data: { id: string } }>('POST', '/v1/schedules', {
    name: 'orders',
    request: { dataset: 'orders' },
    every_seconds: 86400,
    timezone: 'UTC',
    incremental_column: 'id',
    first_run: 'now',
  });
  expect(created.status).toBe(201);
  const id = created.json.data.id;
  await crashed;
  expect(serve.child.signalCode).toBe('SIGKILL');

  // Restarted: the run whose export completed is finished, and only then does the mark move.
  serve = await startServe(dataDir, ['--demo-rows', '10']);
  const first = await waitRun(serve, id, 1);
  expect(first).toMatchObject({ status: 'completed', rows: 100, since_mark: null });
  expect(first.high_water_mark).toBe(100);
  const sch = await serve.api<{ data: { high_water_mark: number } }>('GET', `/v1/schedules/${id}`);
  expect(sch.json.data.high_water_mark).toBe(100);

  await importOrders(serve, files, 130);
  expect((await serve.api('POST', `/v1/schedules/${id}/run`)).status).toBe(202);
  const second = await waitRun(serve, id, 2);
  expect(second).toMatchObject({ status: 'completed', rows: 30, since_mark: 100 });
  expect(second.high_water_mark).toBe(130);

  const exports = (await serve.api<{ data: unknown[] }>('GET', `/v1/exports?schedule_id=${id}`))
    .json.data;
  expect(exports).toHaveLength(2);
  const all = [
    ...(await idsOf(serve, first.export_id!)),
    ...(await idsOf(serve, second.export_id!)),
  ];
  expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));
});
