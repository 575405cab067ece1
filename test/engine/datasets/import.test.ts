import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, importText, rowsOf, settled, storageOf, type Harness } from './helpers.ts';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures/datasets', name));

let h: Harness;
afterEach(() => h.cleanup());

/** Nothing half-made: no dataset file, no scratch file. */
function expectNoFiles(x: Harness): void {
  expect(readdirSync(x.ctx.paths.datasetsDir)).toEqual([]);
  expect(readdirSync(x.ctx.paths.tmpDir)).toEqual([]);
}

const edgeRows = [
  { id: 1, name: 'Alice', comment: 'Hello, world', amount: 10.5, when: '2024-01-01T00:00:00.000Z' },
  {
    id: 2,
    name: 'Bob "The Builder"',
    comment: 'line one\nline two',
    amount: 20,
    when: '2024-01-02T08:30:00.000Z',
  },
  {
    id: 3,
    name: 'Zoë',
    comment: '日本語, emoji 🎉',
    amount: null,
    when: '2024-01-03T07:15:00.000Z',
  },
  { id: 4, name: null, comment: null, amount: -325, when: '2024-01-04T00:00:00.000Z' },
  {
    id: 5,
    name: 'Eve',
    comment: 'ends with CRLF inside\r\nquotes',
    amount: 0,
    when: '2024-01-05T23:59:59.999Z',
  },
];

describe('CSV import', () => {
  it('reads quotes, commas, newlines, unicode, a BOM and CRLF, and infers the types', async () => {
    h = harness();
    const d = await importText(h, 'edge', fixture('edge-cases.csv'), { fileName: 'edge.csv' });
    expect(d).toMatchObject({ status: 'ready', row_count: 5, time_column: 'when', error: null });
    expect(d.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'text' },
      { name: 'comment', type: 'text' },
      { name: 'amount', type: 'real' },
      { name: 'when', type: 'timestamp', indexed: true },
    ]);
    expect(rowsOf(h, 'edge')).toEqual(edgeRows);
    expect(storageOf(h, 'edge', 'id')).toEqual(['integer']);
    expect(d.progress_pct).toBe(100);
    expect(readdirSync(h.ctx.paths.tmpDir)).toEqual([]);
  });

  it('reads gzip by its magic bytes, whatever the file is called', async () => {
    h = harness();
    const d = await importText(h, 'zipped', gzipSync(fixture('edge-cases.csv')), {
      fileName: 'no-extension',
    });
    expect(d.status).toBe('ready');
    expect(rowsOf(h, 'zipped')).toEqual(edgeRows);
    expect(d.bytes_total).toBe(d.bytes_done);
  });

  it('reads a file written as several gzip members (pigz style)', async () => {
    h = harness();
    const text = 'n,s\n' + Array.from({ length: 300 }, (_, i) => `${i},row ${i}`).join('\n') + '\n';
    const cut = text.indexOf('\n150,');
    const gz = Buffer.concat([gzipSync(text.slice(0, cut)), gzipSync(text.slice(cut))]);
    const d = await importText(h, 'members', gz);
    expect(d.row_count).toBe(300);
  });

  it('widens a column when a later value does not fit, and every row fits the result', async () => {
    h = harness({ chunkBytes: 512 });
    // Small read chunks: the widening values arrive long after earlier rows were stored.
    const lines = ['i2r,i2t,b2t,t2t,zip,flag,when,empty'];
    for (let i = 0; i < 2000; i++)
      lines.push(
        `${i},${i},${i % 2 === 0},2024-01-01T00:00:${String(i % 60).padStart(2, '0')}Z,${String(i).padStart(5, '0')},${i % 3 === 0},2024-03-01 10:00:00,`,
      );
    lines.push('1.5,abc,maybe,n/a,99999,false,2024-03-02T10:00:00+01:00,');
    const d = await importText(h, 'wide', lines.join('\n') + '\n');
    expect(d.status).toBe('ready');
    expect(Object.fromEntries(d.columns.map((c) => [c.name, c.type]))).toEqual({
      i2r: 'real',
      i2t: 'text',
      b2t: 'text',
      t2t: 'text',
      zip: 'text',
      flag: 'boolean',
      when: 'timestamp',
      empty: 'text',
    });
    const rows = rowsOf(h, 'wide');
    expect(rows).toHaveLength(2001);
    expect(rows[7]).toEqual({
      i2r: 7,
      i2t: '7',
      b2t: 'false',
      t2t: '2024-01-01T00:00:07.000Z',
      zip: '00007',
      flag: 0,
      when: '2024-03-01T10:00:00.000Z',
      empty: null,
    });
    expect(rows[2000]).toMatchObject({ i2r: 1.5, i2t: 'abc', b2t: 'maybe', t2t: 'n/a', flag: 0 });
    expect(rows[2000].when).toBe('2024-03-02T09:00:00.000Z');
    // Text columns hold text only, so `eq "7"` filters find every matching row.
    expect(storageOf(h, 'wide', 'i2t')).toEqual(['text']);
    expect(storageOf(h, 'wide', 'b2t')).toEqual(['text']);
    expect(storageOf(h, 'wide', 'empty')).toEqual(['null']);
    expect(d.time_column).toBe('when');
  });

  it('uses the requested time column, and fails when a value in it is not a timestamp', async () => {
    h = harness();
    const ok = await importText(h, 'two', 'a,b\n2024-01-01,2025-01-01\n', { time_column: 'b' });
    expect(ok.time_column).toBe('b');
    const bad = await importText(h, 'bad', 'a,b\n1,2024-01-01\n2,soon\n', { time_column: 'b' });
    expect(bad.status).toBe('failed');
    expect(bad.error?.message).toBe(
      'line 3: "soon" in time column "b" is not an ISO 8601 timestamp',
    );
    const missing = await importText(h, 'missing', 'a,b\n1,2\n', { time_column: 'c' });
    expect(missing.error?.message).toBe('line 1: time_column "c" is not a column');
  });

  it('makes header names distinct and keeps them away from rowid', async () => {
    h = harness();
    const d = await importText(h, 'names', 'id,ID,,rowid,"we""ird"\n1,2,3,4,5\n');
    expect(d.columns.map((c) => c.name)).toEqual(['id', 'ID_2', 'column_3', 'rowid_2', 'we"ird']);
    expect(rowsOf(h, 'names')).toEqual([{ id: 1, ID_2: 2, column_3: 3, rowid_2: 4, 'we"ird': 5 }]);
  });

  it('skips blank lines, but reads them as empty rows when there is one column', async () => {
    h = harness();
    expect((await importText(h, 'blank', 'a,b\n1,2\n\n3,4\n')).row_count).toBe(2);
    expect((await importText(h, 'one', 'a\nx\n\ny\n')).row_count).toBe(3);
    expect(rowsOf(h, 'one')).toEqual([{ a: 'x' }, { a: null }, { a: 'y' }]);
  });
});

describe('JSONL import', () => {
  it('takes columns from the keys, types from the values, new keys as new columns', async () => {
    h = harness();
    const d = await importText(h, 'people', fixture('people.jsonl'));
    expect(d.status).toBe('ready');
    expect(d.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'text' },
      { name: 'active', type: 'boolean' },
      { name: 'score', type: 'real' },
      { name: 'joined', type: 'timestamp', indexed: true },
      { name: 'tags', type: 'text' },
      { name: 'meta', type: 'text' },
      { name: 'nickname', type: 'text' },
    ]);
    expect(d.time_column).toBe('joined');
    expect(rowsOf(h, 'people')).toEqual([
      {
        id: 1,
        name: 'Ann',
        active: 1,
        score: 3,
        joined: '2024-05-01T10:00:00.000Z',
        tags: '["a","b"]',
        meta: null,
        nickname: null,
      },
      {
        id: 2,
        name: 'Ben',
        active: 0,
        score: 4.5,
        joined: '2024-05-02T10:00:00.000Z',
        tags: null,
        meta: null,
        nickname: null,
      },
      {
        id: 3,
        name: null,
        active: 1,
        score: 7,
        joined: null,
        tags: null,
        meta: '{"k":"v"}',
        nickname: null,
      },
      {
        id: 4,
        name: 'Dee "D" ✓',
        active: null,
        score: 8,
        joined: null,
        tags: null,
        meta: null,
        nickname: 'dee',
      },
    ]);
  });

  it('turns numbers and booleans into text when a column widens', async () => {
    h = harness({ chunkBytes: 64 });
    const lines = [];
    for (let i = 0; i < 50; i++) lines.push(JSON.stringify({ n: i, b: i % 2 === 0 }));
    lines.push(JSON.stringify({ n: 'many', b: 'yes' }));
    const d = await importText(h, 'jw', lines.join('\n'));
    expect(d.columns).toEqual([
      { name: 'n', type: 'text' },
      { name: 'b', type: 'text' },
    ]);
    const rows = rowsOf(h, 'jw');
    expect(rows[3]).toEqual({ n: '3', b: 'false' });
    expect(rows[50]).toEqual({ n: 'many', b: 'yes' });
  });
});

describe('malformed files fail with the line number and leave nothing behind', () => {
  const header = 'a,b,c\n';
  it.each([
    ['field count', header + '1,2,3\n4,5,6\n7,8\n', 'line 4: expected 3 fields, found 2'],
    ['extra field', header + '1,2,3,4\n', 'line 2: expected 3 fields, found 4'],
    [
      'unclosed quote',
      header + '1,2,3\n4,"five,6\n7,8,9\n',
      'line 3: unclosed quote (the file ends inside a quoted field)',
    ],
    ['empty file', '', 'line 1: the file is empty'],
  ])('%s', async (_label, content, message) => {
    h = harness();
    const d = await importText(h, 'broken', content);
    expect(d.status).toBe('failed');
    expect(d.error).toEqual({ code: 'INVALID_FILE', message });
    expect(d.row_count).toBeNull();
    expectNoFiles(h);
  });

  it('an invalid JSON line', async () => {
    h = harness();
    const d = await importText(h, 'badjson', '{"a":1}\n{"a":2}\n{"a":\n');
    expect(d.error?.message).toMatch(/^line 3: invalid JSON/);
    expectNoFiles(h);
  });

  it('a JSON line that is not an object', async () => {
    h = harness();
    const d = await importText(h, 'arr', '{"a":1}\n[1,2]\n');
    expect(d.error?.message).toBe('line 2: expected a JSON object');
  });

  it('invalid and truncated gzip', async () => {
    h = harness();
    const garbage = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not gzip at all')]);
    const bad = await importText(h, 'garbage', garbage);
    expect(bad.error?.message).toMatch(/^line 1: the gzip data is invalid or truncated/);
    const rows = 'a,b\n' + Array.from({ length: 5000 }, (_, i) => `${i},${i * 7}`).join('\n');
    const gz = gzipSync(rows);
    const cut = await importText(h, 'cut', gz.subarray(0, Math.floor(gz.length * 0.7)));
    expect(cut.status).toBe('failed');
    expect(cut.error?.message).toMatch(/^line \d+: the gzip data is invalid or truncated/);
    expect(Number(/^line (\d+)/.exec(cut.error!.message)![1])).toBeGreaterThan(100);
    expectNoFiles(h);
  });
});

describe('progress', () => {
  it('reports bytes read as progress while importing, then ready at 100', async () => {
    h = harness({ chunkBytes: 4096 });
    const text = 'n,s\n' + Array.from({ length: 4000 }, (_, i) => `${i},some text ${i}`).join('\n');
    const path = h.file('p.csv', text);
    h.svc.create({ name: 'p', path });
    const d = await settled(h, 'p');
    const mine = h.events.filter((e) => e.name === 'p');
    const importing = mine.filter((e) => e.status === 'importing');
    expect(importing.length).toBeGreaterThan(5);
    expect(importing[0].progress_pct).toBe(0);
    const pcts = importing.map((e) => e.progress_pct);
    expect([...pcts].sort((a, b) => a - b)).toEqual(pcts);
    expect(pcts.at(-1)).toBeGreaterThan(90);
    expect(pcts.at(-1)).toBeLessThan(100);
    expect(importing.at(-1)!.bytes_total).toBe(Buffer.byteLength(text));
    expect(mine.at(-1)).toMatchObject({ status: 'ready', progress_pct: 100 });
    expect(d.row_count).toBe(4000);
  });
});
