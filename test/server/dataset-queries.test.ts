import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { sampleRanges } from '../../electron/engine/datasets/dataset-queries.ts';

let s: TestServer;
beforeEach(async () => {
  s = await makeServer({ demoRows: 2000 });
});
afterEach(async () => s.close());

const values = (path: string) => s.call({ url: `/v1/datasets/leads/columns/${path}` });
const count = (filter: unknown) =>
  s.call({ method: 'POST', url: '/v1/datasets/leads/count', payload: { filter } });

describe('column values', () => {
  it('answers the most frequent states with counts that add up, read whole', async () => {
    const res = await values('state/values?limit=100');
    expect(res.statusCode).toBe(200);
    const d = res.json().data;
    expect(d).toMatchObject({ column: 'state', type: 'text', complete: true, rows_scanned: 2000 });
    expect(d.values.map((v: { value: string }) => v.value)).toContain('TX');
    const total = d.values.reduce((n: number, v: { count: number }) => n + v.count, 0);
    expect(total + d.null_count).toBe(2000);
    const counts = d.values.map((v: { count: number }) => v.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    // The count of TX equals what an export filter on TX matches.
    const tx = d.values.find((v: { value: string }) => v.value === 'TX').count;
    expect(
      (await count({ where: [{ column: 'state', op: 'eq', value: 'TX' }] })).json().data,
    ).toEqual({ dataset: 'leads', count: tx, row_count: 2000 });
  });

  it('filters by prefix, case-insensitively, honours limit and says when there is more', async () => {
    const d = (await values('city/values?prefix=san&limit=2')).json().data;
    expect(d.values).toHaveLength(2);
    expect(d.more).toBe(true);
    for (const v of d.values) expect(v.value.toLowerCase().startsWith('san')).toBe(true);
    const none = (await values('state/values?prefix=Texas')).json().data;
    expect(none.values).toEqual([]);
    expect(none.more).toBe(false);
  });

  it('gives numbers for numeric columns, prefix on their text', async () => {
    const d = (await values('score/values?prefix=10&limit=100')).json().data;
    expect(d.type).toBe('integer');
    for (const v of d.values) {
      expect(typeof v.value).toBe('number');
      expect(String(v.value).startsWith('10')).toBe(true);
    }
  });

  it('names the field at fault: unknown column, dataset, bad limit', async () => {
    const col = await values('nope/values');
    expect(col.statusCode).toBe(404);
    expect(col.json().error.details.field).toBe('column');
    const ds = await s.call({ url: '/v1/datasets/missing/columns/state/values' });
    expect(ds.statusCode).toBe(404);
    expect(ds.json().error.details.field).toBe('name');
    const lim = await values('state/values?limit=0');
    expect(lim.statusCode).toBe(400);
    expect(lim.json().error.details.field).toBe('query.limit');
  });

  it('samples a large dataset as evenly spread runs of rows, never more than the cap', () => {
    expect(sampleRanges(1, 50, 100)).toEqual([[1, 50]]);
    const r = sampleRanges(1, 2_000_000, 100_000);
    expect(r).toHaveLength(20);
    expect(r.reduce((n, [a, b]) => n + b - a + 1, 0)).toBe(100_000);
    expect(r[0]![0]).toBe(1);
    expect(r[19]![0]).toBeGreaterThan(1_900_000);
  });
});

describe('count', () => {
  it('counts what the filter matches: zero for "Texas" on a column of state codes', async () => {
    const res = await count({ where: [{ column: 'state', op: 'eq', value: 'Texas' }] });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual({ dataset: 'leads', count: 0, row_count: 2000 });
    expect((await count(null)).json().data.count).toBe(2000);
  });

  it('names details.field for every filter mistake, as an export request would', async () => {
    const field = async (filter: unknown) => (await count(filter)).json().error.details.field;
    expect(await field({ where: [{ column: 'nope', op: 'eq', value: 'x' }] })).toBe(
      'filter.where[0].column',
    );
    expect(await field({ where: [{ column: 'score', op: 'eq', value: 'x' }] })).toBe(
      'filter.where[0]',
    );
    expect(
      await field({ start_time: '2026-01-01T00:00:00Z', end_time: '2025-01-01T00:00:00Z' }),
    ).toBe('filter.end_time');
    expect(await field({ where: [{ column: 'state', op: 'like', value: 'x' }] })).toBe(
      'filter.where[0].op',
    );
    expect(await field({ where: [{ op: 'eq', value: 'x' }] })).toBe('filter.where[0].column');
  });
});

describe('export request fields', () => {
  it('unknown and duplicate columns, unknown dataset and provider name their field', async () => {
    const post = async (payload: Record<string, unknown>) =>
      (await s.call({ method: 'POST', url: '/v1/exports', payload })).json().error.details.field;
    expect(await post({ dataset: 'leads', columns: ['id', 'nope'] })).toBe('columns[1]');
    expect(await post({ dataset: 'leads', columns: ['id', 'id'] })).toBe('columns[1]');
    expect(await post({ dataset: 'missing' })).toBe('dataset');
    expect(await post({ provider: 'not-a-provider' })).toBe('provider');
  });

  it('provider base_url, type, credential and options errors name their field', async () => {
    const post = async (payload: Record<string, unknown>) =>
      (await s.call({ method: 'POST', url: '/v1/providers', payload })).json().error.details.field;
    const base = { name: 'p', type: 'datadriver', base_url: 'https://x.test' };
    expect(await post({ ...base, base_url: 'not a url' })).toBe('base_url');
    expect(await post({ ...base, base_url: 'ftp://x.test' })).toBe('base_url');
    expect(await post({ ...base, base_url: 'https://u:p@x.test' })).toBe('base_url');
    expect(await post({ ...base, base_url: 'https://x.test/?a=1' })).toBe('base_url');
    expect(await post({ ...base, credential: 'clé' })).toBe('credential');
    expect(await post({ ...base, type: 'nope' })).toBe('type');
    expect(await post({ ...base, type: 'dynamic' })).toBe('options.environment_id');
    expect(await post({ ...base, type: 'generic', options: {} })).toBe('options.config');
  });
});
