// Incremental schedules: each run exports only the rows above the high-water mark the last
// completed run reached; a failed run leaves the mark, so no row is skipped or repeated.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { CsvParser } from '../../electron/engine/datasets/csv-parser.ts';

let s: TestServer;
beforeEach(async () => {
  s = await makeServer({
    demoRows: 50,
    clock: new FakeClock('2026-03-07T12:00:00Z'),
    exportsTestSeams: { progressMs: 0 },
  });
});
afterEach(() => s.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** (Re)imports the dataset `orders` with rows 1..n (ids shuffled in file order). */
async function importOrders(n: number): Promise<void> {
  await s.call({ method: 'DELETE', url: '/v1/datasets/orders' });
  const path = join(s.dataDir, `orders-${n}.csv`);
  const ids = Array.from({ length: n }, (_, i) => i + 1).sort(
    (a, b) => ((a * 7) % 11) - ((b * 7) % 11),
  );
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  writeFileSync(path, 'id,placed_at,total\n' + ids.map((i) => `${i},${at(i)},${i * 3}\n`).join(''));
  const res = await s.call({
    method: 'POST',
    url: '/v1/datasets',
    payload: { name: 'orders', path },
  });
  expect(res.statusCode, res.body).toBe(202);
  for (let i = 0; i < 400; i++) {
    const d = (await s.call({ url: '/v1/datasets/orders' })).json().data;
    if (d.status === 'ready') return;
    expect(d.status).toBe('importing');
    await sleep(20);
  }
  throw new Error('import did not finish');
}

async function runAndWait(id: string) {
  const ran = await s.call({ method: 'POST', url: `/v1/schedules/${id}/run` });
  expect(ran.statusCode, ran.body).toBe(202);
  await vi.waitFor(
    async () => {
      const res = await s.call({ url: `/v1/schedules/${id}` });
      expect(res.statusCode, res.body).toBe(200);
      if (res.json().data.running_export_id !== null) throw new Error('the run is in progress');
    },
    { timeout: 15_000, interval: 20 },
  );
  await s.engine.schedules.idle();
  return (await s.call({ url: `/v1/schedules/${id}/runs` })).json().data[0];
}

/** The ids in a run's stored export file. */
function idsOf(exportId: string): number[] {
  const { path } = s.engine.exports.resolveExportFile(exportId);
  const rows: string[][] = [];
  const parser = new CsvParser((f) => rows.push(f));
  parser.push(gunzipSync(readFileSync(path)).toString('utf8'));
  parser.end();
  return rows.slice(1).map((r) => Number(r[0]));
}

it('exports only the rows above the last mark, for a growing id and for a time column', async () => {
  await importOrders(100);
  for (const [column, firstMark] of [
    ['placed_at', new Date(Date.UTC(2026, 0, 1) + 100 * 60_000).toISOString()],
    ['id', 100],
  ] as const) {
    const created = await s.call({
      method: 'POST',
      url: '/v1/schedules',
      payload: {
        name: `orders by ${column}`,
        request: { dataset: 'orders' },
        every_seconds: 86400,
        incremental_column: column,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().data.id as string;
    expect(created.json().data).toMatchObject({
      incremental_column: column,
      high_water_mark: null,
    });

    const first = await runAndWait(id);
    expect(first).toMatchObject({ status: 'completed', rows: 100, since_mark: null });
    expect(first.high_water_mark).toBe(firstMark);
    expect(idsOf(first.export_id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect((await s.call({ url: `/v1/schedules/${id}` })).json().data.high_water_mark).toBe(
      firstMark,
    );
    // Incremental runs hold different rows each time: no changes to count.
    expect(first.changes).toBeNull();
    if (column === 'id') {
      await importOrders(130);
      const second = await runAndWait(id);
      expect(second).toMatchObject({ rows: 30, since_mark: 100, high_water_mark: 130 });
      expect(idsOf(second.export_id).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => i + 101),
      );
      // Nothing new: an empty run, the mark stays.
      const third = await runAndWait(id);
      expect(third).toMatchObject({ rows: 0, since_mark: 130, high_water_mark: 130 });
    }
  }
});

it('refuses an incremental column that is not a growing id or time, or with keep-fresh, naming the field', async () => {
  await importOrders(5);
  const base = { name: 'o', request: { dataset: 'orders' }, every_seconds: 86400 };
  for (const [payload, pattern] of [
    [{ ...base, incremental_column: 'nope' }, /not a column/],
    [{ ...base, request: { dataset: 'leads' }, incremental_column: 'name' }, /text/],
    [{ ...base, incremental_column: 'id', keep_fresh: true }, /keep_fresh/],
    [
      { ...base, request: { dataset: 'orders', columns: ['total'] }, incremental_column: 'id' },
      /not a column/,
    ],
  ] as const) {
    const res = await s.call({ method: 'POST', url: '/v1/schedules', payload });
    expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    expect(res.json().error.details.field).toBe('incremental_column');
    expect(res.json().error.message).toMatch(pattern);
  }
});

it('a new incremental column starts again from all rows', async () => {
  await importOrders(20);
  const created = await s.call({
    method: 'POST',
    url: '/v1/schedules',
    payload: {
      name: 'o',
      request: { dataset: 'orders' },
      every_seconds: 86400,
      incremental_column: 'id',
    },
  });
  const id = created.json().data.id as string;
  expect((await runAndWait(id)).rows).toBe(20);
  expect((await runAndWait(id)).rows).toBe(0);
  const patched = await s.call({
    method: 'PATCH',
    url: `/v1/schedules/${id}`,
    payload: { incremental_column: 'placed_at' },
  });
  expect(patched.json().data.high_water_mark).toBeNull();
  expect((await runAndWait(id)).rows).toBe(20);
});
