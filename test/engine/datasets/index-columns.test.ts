import { readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { compileQuery } from '../../../electron/engine/datasets/filter-sql.ts';
import { keysetSql, rowBatches } from '../../../electron/engine/exports/row-batches.ts';
import { harness, settled, type Harness } from './helpers.ts';

let h: Harness;
afterEach(() => h.cleanup());

/** 3,000 orders of 30 customers, ids and days interleaved so no filter is a contiguous range. */
function orders(): string {
  const lines = ['order_id,customer,amount,placed_at'];
  for (let i = 1; i <= 3000; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(`${i},c${i % 30},${(i * 7) % 1000},2026-02-${day}T10:00:00.000Z`);
  }
  return lines.join('\n') + '\n';
}

async function importOrders(indexColumns?: string[]) {
  const path = h.file('orders.csv', orders());
  h.svc.create({ name: 'orders', path, ...(indexColumns ? { index_columns: indexColumns } : {}) });
  return settled(h, 'orders');
}

/** What the export worker runs for this filter, with SQLite's plan for it. */
function exportQuery(value: string, column = 'customer') {
  const d = h.svc.describe('orders');
  const q = compileQuery(d, { filter: { where: [{ column, op: 'eq', value }] } });
  const db = new Database(d.file, { readonly: true });
  try {
    const keyset = keysetSql(q);
    const rows = [...rowBatches(db, q.selectSql, keyset, q.params)].flat();
    const plan = (
      db.prepare(`EXPLAIN QUERY PLAN ${q.selectSql}`).all(...q.params) as { detail: string }[]
    )
      .map((p) => p.detail)
      .join('; ');
    return { rows, plan };
  } finally {
    db.close();
  }
}

describe('index_columns: datasets exported a few rows at a time', () => {
  it('indexes the named columns after the load and says so in the dataset', async () => {
    h = harness();
    const d = await importOrders(['customer', 'order_id']);
    expect(d.status).toBe('ready');
    expect(d.columns).toEqual([
      { name: 'order_id', type: 'integer', indexed: true },
      { name: 'customer', type: 'text', indexed: true },
      { name: 'amount', type: 'integer' },
      { name: 'placed_at', type: 'timestamp', indexed: true },
    ]);
    const db = new Database(h.svc.describe('orders').file, { readonly: true });
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
      .pluck()
      .all();
    db.close();
    expect(indexes).toEqual(['data_by_1', 'data_by_2', 'data_by_time']);
  });

  it('an export of one customer reads its rows through the index, the same rows in file order', async () => {
    h = harness();
    await importOrders(['customer']);
    const { rows, plan } = exportQuery('c7');
    expect(plan).toMatch(/USING INDEX data_by_1/);
    expect(plan).not.toMatch(/^SCAN data$|SCAN data(?! USING)/);
    expect(rows).toHaveLength(100);
    const ids = rows.map((r) => (r as unknown[])[0] as number);
    expect(ids).toEqual(ids.map((_, i) => 7 + 30 * i));
  });

  it('without it the same export scans the whole table (and finds the same rows)', async () => {
    h = harness();
    await importOrders();
    const { rows, plan } = exportQuery('c7');
    expect(plan).toMatch(/SCAN data/);
    expect(plan).not.toMatch(/USING INDEX/);
    expect(rows).toHaveLength(100);
  });

  it('a name that is not a column fails the import, naming it, and leaves no file', async () => {
    h = harness();
    const d = await importOrders(['customer', 'client']);
    expect(d.status).toBe('failed');
    expect(d.error?.message).toBe('line 1: index_columns: "client" is not a column');
    expect(readdirSync(h.ctx.paths.datasetsDir)).toEqual([]);
    expect(readdirSync(h.ctx.paths.tmpDir)).toEqual([]);
  });

  it('a JSON Lines file is checked once its keys are known', async () => {
    h = harness();
    const path = h.file('o.jsonl', '{"a":1,"b":"x"}\n{"a":2,"c":"y"}\n');
    h.svc.create({ name: 'j', path, index_columns: ['c'] });
    const ok = await settled(h, 'j');
    expect(ok.columns.find((c) => c.name === 'c')).toEqual({
      name: 'c',
      type: 'text',
      indexed: true,
    });
    const path2 = h.file('p.jsonl', '{"a":1}\n');
    h.svc.create({ name: 'k', path: path2, index_columns: ['z'] });
    const bad = await settled(h, 'k');
    expect(bad.error?.message).toBe('index_columns: "z" is not a column of the file');
  });
});
