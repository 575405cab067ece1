import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
beforeEach(async () => {
  s = await makeServer({ demoRows: 500 });
});
afterEach(async () => s.close());

async function waitReady(name: string) {
  return vi.waitFor(
    async () => {
      const d = (await s.call({ url: `/v1/datasets/${name}` })).json().data;
      if (d.status === 'importing') throw new Error('import did not finish');
      return d;
    },
    { timeout: 5_000, interval: 25 },
  );
}

describe('datasets API', () => {
  it('lists the demo dataset with its columns, types, row count and time column', async () => {
    const res = await s.call({ url: '/v1/datasets' });
    expect(res.statusCode).toBe(200);
    const leads = res.json().data.find((d: { name: string }) => d.name === 'leads');
    expect(leads.row_count).toBe(500);
    expect(leads.time_column).toBe('created_at');
    expect(leads.columns.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['id', 'created_at', 'email', 'state', 'revenue', 'score', 'status']),
    );
  });

  it('imports a CSV by path (202, then ready), and refuses a malformed one with the line number', async () => {
    const good = join(s.dataDir, 'people.csv');
    writeFileSync(
      good,
      'id,name,joined\n1,"Smith, Ann",2026-01-02T03:04:05Z\n2,Bob,2026-02-01T00:00:00Z\n',
    );
    const res = await s.call({
      method: 'POST',
      url: '/v1/datasets',
      payload: { name: 'people', path: good },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().data.status).toMatch(/importing|ready/);
    const ready = await waitReady('people');
    expect(ready.status).toBe('ready');
    expect(ready.row_count).toBe(2);

    const bad = join(s.dataDir, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,2\n3\n');
    await s.call({ method: 'POST', url: '/v1/datasets', payload: { name: 'bad', path: bad } });
    const failed = await waitReady('bad');
    expect(failed.status).toBe('failed');
    expect(failed.error.message).toMatch(/line 3/);
  });

  it('answers unknown datasets with 404 and bad requests with 400, in the envelope', async () => {
    expect((await s.call({ url: '/v1/datasets/nope' })).json().error.code).toBe('NOT_FOUND');
    const rel = await s.call({
      method: 'POST',
      url: '/v1/datasets',
      payload: { name: 'x', path: 'relative.csv' },
    });
    expect(rel.statusCode).toBe(400);
    expect(rel.json().error.code).toBe('INVALID_REQUEST');
    const badName = await s.call({
      method: 'POST',
      url: '/v1/datasets',
      payload: { name: '../x', path: '/tmp/x' },
    });
    expect(badName.statusCode).toBe(400);
  });

  it('takes index_columns, shows them as indexed, and refuses a list it cannot take', async () => {
    const file = join(s.dataDir, 'orders.csv');
    writeFileSync(file, 'id,customer,total\n1,c1,5\n2,c2,7\n');
    const res = await s.call({
      method: 'POST',
      url: '/v1/datasets',
      payload: { name: 'orders', path: file, index_columns: ['customer'] },
    });
    expect(res.statusCode).toBe(202);
    const ready = await waitReady('orders');
    expect(ready.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'customer', type: 'text', indexed: true },
      { name: 'total', type: 'integer' },
    ]);
    for (const index_columns of [
      ['a', 'a'],
      Array.from({ length: 9 }, (_, i) => `c${i}`),
      [''],
      'customer',
    ]) {
      const bad = await s.call({
        method: 'POST',
        url: '/v1/datasets',
        payload: { name: 'orders2', path: file, index_columns },
      });
      expect(bad.statusCode, JSON.stringify(index_columns)).toBe(400);
      expect(bad.json().error.code).toBe('INVALID_REQUEST');
    }
  });

  it('deletes a dataset', async () => {
    expect((await s.call({ method: 'DELETE', url: '/v1/datasets/leads' })).statusCode).toBe(204);
    expect((await s.call({ url: '/v1/datasets/leads' })).statusCode).toBe(404);
  });
});
