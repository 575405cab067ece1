import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { importFile } from '../../../electron/engine/datasets/import-file.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'em-import-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function rows(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM data ORDER BY rowid').raw().all();
  } finally {
    db.close();
  }
}

it('builds the same table whether rows are inserted in this thread or a second one', async () => {
  const lines = ['n,b,t,s,x'];
  for (let i = 0; i < 3000; i++)
    lines.push(
      `${i},${i % 2 === 0},2024-01-01 00:00:${String(i % 60).padStart(2, '0')},"a ""${i}""\nb",${i}`,
    );
  lines.push('2.5,maybe,later,\u00e9,x'); // widens n to real, b and t to text, x to text
  const source = join(dir, 'in.csv');
  writeFileSync(source, lines.join('\r\n'));
  const results = [];
  for (const sinkThread of [false, true]) {
    const out = join(dir, `out-${sinkThread}.sqlite`);
    const result = await importFile({ source, out, sinkThread, chunkBytes: 2048 }, () => {});
    results.push({ result, rows: rows(out) });
  }
  expect(results[1]).toEqual(results[0]);
  expect(results[0].result.columns.map((c) => c.type)).toEqual([
    'real',
    'text',
    'text',
    'text',
    'text',
  ]);
  expect(results[0].rows[1]).toEqual([1, 'false', '2024-01-01T00:00:01.000Z', 'a "1"\nb', '1']);
  expect(results[0].rows).toHaveLength(3001);
});

it('stores integers exactly as integers, up to the largest safe one, in either thread', async () => {
  const values = ['9007199254740991', '-9007199254740991', '0', '', '-5', '42'];
  const source = join(dir, 'ints.csv');
  writeFileSync(source, 'n,m\n' + values.map((v, i) => `${v},${i}`).join('\n') + '\n');
  for (const sinkThread of [false, true]) {
    const out = join(dir, `ints-${sinkThread}.sqlite`);
    const result = await importFile({ source, out, sinkThread }, () => {});
    expect(result.columns.map((c) => c.type)).toEqual(['integer', 'integer']);
    const db = new Database(out, { readonly: true });
    try {
      const got = db
        .prepare('SELECT CAST(n AS TEXT) AS n, typeof(n) AS t FROM data ORDER BY rowid')
        .all() as { n: string | null; t: string }[];
      expect(got).toEqual(
        values.map((v) => (v === '' ? { n: null, t: 'null' } : { n: v, t: 'integer' })),
      );
    } finally {
      db.close();
    }
  }
});

it('reports progress per chunk and can be canceled, leaving no file', async () => {
  const source = join(dir, 'in.csv');
  writeFileSync(source, 'a,b\n' + '1,2\n'.repeat(50_000));
  const out = join(dir, 'out.sqlite');
  const ac = new AbortController();
  const seen: number[] = [];
  const run = importFile(
    { source, out, chunkBytes: 4096, sinkThread: true },
    (p) => {
      seen.push(p.bytesDone);
      if (seen.length === 3) ac.abort();
    },
    ac.signal,
  );
  await expect(run).rejects.toThrow('the import was canceled');
  expect(seen).toEqual([4096, 8192, 12288]);
  expect(() => rows(out)).toThrow();
});

it('keeps a NUL character inside a field (batches then travel as arrays)', async () => {
  const source = join(dir, 'nul.csv');
  writeFileSync(source, 'a,b\n1,plain\n2,"with\u0000nul"\n3,after\n');
  const out = join(dir, 'nul.sqlite');
  const result = await importFile({ source, out, sinkThread: true, chunkBytes: 8 }, () => {});
  expect(result.rowCount).toBe(3);
  expect(rows(out)).toEqual([
    [1, 'plain'],
    [2, 'with\u0000nul'],
    [3, 'after'],
  ]);
});
