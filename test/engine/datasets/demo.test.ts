import { afterEach, describe, expect, it } from 'vitest';
import { createDatasetsRepo } from '../../../electron/engine/datasets/datasets-repo.ts';
import { createDatasetsService } from '../../../electron/engine/datasets/datasets-service.ts';
import { DEMO_END, DEMO_START } from '../../../electron/engine/datasets/demo-leads.ts';
import { harness, importText, rowsOf, type Harness } from './helpers.ts';

const open: Harness[] = [];
const make = () => {
  const x = harness();
  open.push(x);
  return x;
};
afterEach(async () => {
  for (const x of open.splice(0)) await x.cleanup();
});

describe('demo dataset leads', () => {
  it('has the documented columns, types and time column', async () => {
    const h = make();
    await h.svc.ensureDemo(3000);
    const d = h.svc.get('leads');
    expect(d).toMatchObject({
      status: 'ready',
      row_count: 3000,
      time_column: 'created_at',
      source: 'demo',
    });
    expect(d.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'created_at', type: 'timestamp', indexed: true },
      { name: 'name', type: 'text' },
      { name: 'email', type: 'text' },
      { name: 'company', type: 'text' },
      { name: 'city', type: 'text' },
      { name: 'state', type: 'text' },
      { name: 'revenue', type: 'real' },
      { name: 'score', type: 'integer' },
      { name: 'status', type: 'text' },
    ]);
  });

  it('is the same rows every time for the same row count', async () => {
    const a = make();
    const b = make();
    await a.svc.ensureDemo(2500);
    await b.svc.ensureDemo(2500);
    expect(rowsOf(a, 'leads')).toEqual(rowsOf(b, 'leads'));
  });

  it('looks like real leads', async () => {
    const h = make();
    await h.svc.ensureDemo(5000);
    const rows = rowsOf(h, 'leads');
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    const times = rows.map((r) => r.created_at as string);
    expect([...times].sort()).toEqual(times);
    for (const t of times) expect(new Date(t).toISOString()).toBe(t);
    expect(Date.parse(times[0])).toBeGreaterThanOrEqual(DEMO_START);
    expect(Date.parse(times.at(-1)!)).toBeLessThan(DEMO_END);
    expect(Date.parse(times.at(-1)!) - Date.parse(times[0])).toBeGreaterThan(700 * 86_400_000);
    const emails = new Set(rows.map((r) => r.email));
    expect(emails.size).toBe(5000);
    for (const r of rows) {
      expect(r.email).toMatch(/^[a-z]+\.[a-z]+\d+@[a-z]+\.example\.com$/);
      expect(r.state).toMatch(/^[A-Z]{2}$/);
      expect(['new', 'contacted', 'qualified', 'won', 'lost']).toContain(r.status);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(100);
      expect(String(r.revenue)).toMatch(/^\d+(\.\d{1,2})?$/);
    }
    // A state filter must mean something: Texas is there, but not everywhere.
    const tx = rows.filter((r) => r.state === 'TX').length;
    expect(tx).toBeGreaterThan(100);
    expect(tx).toBeLessThan(1000);
  });

  it('is created once: not with 0 rows, not over a user dataset, not again once deleted', async () => {
    const h = make();
    await h.svc.ensureDemo(0);
    expect(h.svc.list()).toEqual([]);
    await h.svc.ensureDemo(100);
    h.svc.delete('leads');
    await h.svc.ensureDemo(100);
    expect(h.svc.list()).toEqual([]);

    const other = make();
    await importText(other, 'leads', 'mine\n1\n');
    await other.svc.ensureDemo(100);
    expect(other.svc.get('leads')).toMatchObject({
      source: expect.stringContaining('leads'),
      row_count: 1,
    });
  });

  it('is made again after a crash interrupted it', async () => {
    const h = make();
    const repo = createDatasetsRepo(h.ctx.db);
    const now = h.ctx.clock.now();
    repo.setState('demo_created', String(now));
    repo.insert({
      name: 'leads',
      status: 'importing',
      columns: [],
      timeColumn: null,
      rowCount: null,
      progressPct: 10,
      bytesDone: 0,
      bytesTotal: null,
      source: 'demo',
      error: null,
      createdAt: now,
      updatedAt: now,
    });
    const restarted = createDatasetsService(h.ctx, { progressIntervalMs: 0 });
    restarted.recover();
    expect(restarted.get('leads').status).toBe('failed');
    await restarted.ensureDemo(200);
    expect(restarted.get('leads')).toMatchObject({ status: 'ready', row_count: 200 });
    await restarted.close();
  });
});
