// The exports list as a queue: several statuses at once, sorts with their own cursors, and the
// counts by status the toolbar shows (queued and running apart), under the same filters.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExportsTable } from '../../electron/engine/exports/exports-table.ts';
import { exportRow } from '../helpers/export-row.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
beforeEach(async () => {
  s = await makeServer();
  // 30 exports straight into the store: statuses cycle, names run backwards to creation order.
  const table = createExportsTable(s.engine.ctx.db);
  const statuses = ['pending', 'processing', 'completed', 'failed', 'canceled'] as const;
  for (let i = 1; i <= 30; i++) {
    const at = 1700000000000 + i * 1000;
    table.insert(
      exportRow({
        id: `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`,
        name: `job ${String(31 - i).padStart(2, '0')}`,
        status: statuses[i % 5]!,
        dataset: i <= 10 ? 'leads' : 'other',
        request_json: '{}',
        created_at: at,
      }),
    );
  }
});
afterEach(async () => s.close());

type Page = {
  data: { id: string; name: string; status: string }[];
  meta: { next_cursor: string | null };
};

async function all(query: string, limit = 4): Promise<Page['data']> {
  const out: Page['data'] = [];
  let cursor: string | null = null;
  do {
    const res = await s.call({
      url: `/v1/exports?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as Page;
    out.push(...page.data);
    cursor = page.meta.next_cursor;
  } while (cursor);
  return out;
}

describe('GET /v1/exports as a queue', () => {
  it('filters by several statuses at once, newest first, across pages', async () => {
    const queue = await all('status=pending,processing');
    expect(queue).toHaveLength(12);
    expect(new Set(queue.map((e) => e.status))).toEqual(new Set(['pending', 'processing']));
    const ids = queue.map((e) => e.id);
    expect(ids).toEqual([...ids].sort().reverse());
  });

  it('sorts oldest first and by name both ways, each page following the last', async () => {
    const oldest = await all('sort=created_asc');
    expect(oldest.map((e) => e.id)).toEqual(oldest.map((e) => e.id).sort());
    expect(oldest).toHaveLength(30);
    const byName = await all('sort=name_asc', 7);
    expect(byName.map((e) => e.name)).toEqual(byName.map((e) => e.name).sort());
    expect(byName[0]!.name).toBe('job 01');
    const byNameDesc = await all('sort=name_desc&source=leads', 3);
    expect(byNameDesc.map((e) => e.name)).toEqual(
      byNameDesc
        .map((e) => e.name)
        .sort()
        .reverse(),
    );
    expect(byNameDesc).toHaveLength(10);
  });

  it('refuses an unknown status, an unknown sort, and a cursor made for another sort', async () => {
    const bad = await s.call({ url: '/v1/exports?status=pending,running' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_REQUEST');
    expect((await s.call({ url: '/v1/exports?sort=size' })).statusCode).toBe(400);
    const page = (await s.call({ url: '/v1/exports?limit=2' })).json() as Page;
    const wrong = await s.call({
      url: `/v1/exports?limit=2&sort=name_asc&cursor=${page.meta.next_cursor}`,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details.field).toBe('query.cursor');
  });

  it('counts by status under the same filters: queued and running apart', async () => {
    const res = await s.call({ url: '/v1/exports/counts' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual({
      total: 30,
      by_status: { pending: 6, processing: 6, completed: 6, failed: 6, canceled: 6, expired: 0 },
    });
    const leads = (await s.call({ url: '/v1/exports/counts?source=leads&q=JOB%202' })).json().data;
    // leads are i = 1..10, names "job 30".."job 21"; "job 2" matches 21..29 → i = 2..10.
    expect(leads.total).toBe(9);
    expect(leads.by_status.processing).toBe(1);
    expect(leads.by_status.pending).toBe(2);
  });
});
