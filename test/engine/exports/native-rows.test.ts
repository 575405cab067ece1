// The native CSV reader (native/csv-rows.c) writes the same bytes as the JavaScript writer
// (csvRowWriter over better-sqlite3's raw rows) for every value SQLite can hold: doubles of every
// shape (random bit patterns included), 64-bit integers past 2^53, text that needs quotes, text
// that is not UTF-8, blobs, booleans stored every way, rows larger than a block. Skipped, with a
// notice, where the addon was not built (no C compiler); CI builds it first.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import { compileQuery } from '../../../electron/engine/datasets/filter-sql.ts';
import { csvRowWriter } from '../../../electron/engine/exports/encoders.ts';
import { runExport } from '../../../electron/engine/exports/export-pipeline.ts';
import {
  FILL_DONE,
  FILL_FULL,
  FILL_HANDED,
  FILL_TOO_LARGE,
  nativeReaderMissing,
  openNativeCsv,
} from '../../../electron/engine/exports/native-rows.ts';
import { keysetSql } from '../../../electron/engine/exports/row-batches.ts';
import { tempDir } from '../../helpers/context.ts';
import { writeRows } from './harness.ts';

const missing = nativeReaderMissing();
if (missing !== null) console.warn(`native-rows tests skipped: the native reader is ${missing}`);

const dir = tempDir('em-native-rows-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const columns: DatasetColumn[] = [
  { name: 'i', type: 'integer' },
  { name: 'r', type: 'real' },
  { name: 't', type: 'text' },
  { name: 'b', type: 'boolean' },
  { name: 'at', type: 'timestamp' },
];

/** A file with table `data`: `rows` are SQL value expressions, one array per row. */
function sqlFile(name: string, rows: string[][]): string {
  const file = join(dir, name);
  const db = new Database(file);
  db.exec(`CREATE TABLE data (${columns.map((c) => `"${c.name}"`).join(', ')})`);
  db.transaction(() => {
    for (const r of rows) db.exec(`INSERT INTO data VALUES (${r.join(', ')})`);
  })();
  db.close();
  return file;
}

/** A file with table `data` from bound values. */
function valueFile(name: string, rows: unknown[][]): string {
  const file = join(dir, name);
  writeRows(file, columns, rows);
  return file;
}

const selectAll = () =>
  compileQuery({ columns, timeColumn: 'at' }, { columns: null, filter: null }).selectSql;

/** The JavaScript writer's bytes for the file's rows. */
function jsBytes(file: string, sql = selectAll(), params: unknown[] = []): Buffer {
  const db = new Database(file, { readonly: true });
  const writer = csvRowWriter(columns);
  const parts: Buffer[] = [];
  for (const row of db
    .prepare(sql)
    .raw(true)
    .iterate(...params) as Iterable<unknown[]>) {
    const buf = Buffer.alloc(writer.bound(row));
    parts.push(buf.subarray(0, writer.write(row, buf, 0)));
  }
  db.close();
  return Buffer.concat(parts);
}

/** The native reader's bytes, blocks of `blockBytes`; handed rows written by csvRowWriter. */
function nativeBytes(file: string, blockBytes: number, sql = selectAll(), params: unknown[] = []) {
  const reader = openNativeCsv(file, sql, params, columns)!;
  expect(reader).not.toBeNull();
  const writer = csvRowWriter(columns);
  const parts: Buffer[] = [];
  let handed = 0;
  let rows = 0;
  try {
    for (;;) {
      const block = Buffer.alloc(blockBytes);
      const r = reader.fill(block, 0);
      rows += r.rows;
      parts.push(block.subarray(0, r.end));
      if (r.values !== undefined) {
        handed++;
        rows++;
        const buf = Buffer.alloc(writer.bound(r.values));
        parts.push(buf.subarray(0, writer.write(r.values, buf, 0)));
      } else if (r.status === FILL_DONE) break;
      else expect(r.status).toBe(FILL_FULL);
    }
  } finally {
    reader.close();
  }
  return { bytes: Buffer.concat(parts), handed, rows };
}

/** Doubles as SQL literals that read back exactly (17 significant digits). */
const lit = (x: number) =>
  Number.isFinite(x) ? x.toPrecision(17) : x > 0 ? '9e999' : x < 0 ? '-9e999' : 'NULL';

function randomDouble(): number {
  for (;;) {
    const x = randomBytes(8).readDoubleLE(0);
    if (Number.isFinite(x)) return x;
  }
}

describe.skipIf(missing !== null)('the native CSV reader', () => {
  it('prints every kind of double as JavaScript does', () => {
    const special = [
      0,
      -0,
      0.1,
      0.2,
      0.1 + 0.2,
      1 / 3,
      2 / 3,
      5,
      -5,
      100,
      1e-7,
      1.5e-7,
      1e-6,
      9.99e-7,
      1.234e-6,
      1e-5,
      0.0001,
      123.456,
      1e15,
      1e15 - 1,
      1e15 + 2,
      999999999999999.9,
      1e16,
      1e20,
      1e21,
      1e22,
      1.2345e21,
      2 ** 53,
      2 ** 53 + 2,
      2 ** 63,
      2 ** 64,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MIN_VALUE,
      2.2250738585072014e-308,
      2.225073858507201e-308,
      4.35,
      0.000001234,
      1.7976931348623157e308,
      Number('9007199254740993'),
      76.0951,
      99.607,
      72.9128,
      1234567.891,
      -0.5,
      Infinity,
      -Infinity,
    ];
    const values: number[] = [...special];
    for (let i = 0; i < 20_000; i++) values.push(randomDouble());
    // Decimals like prices and scores: k digits after the point, every magnitude.
    for (let i = 0; i < 20_000; i++) {
      const k = i % 12;
      const m = Math.floor(Math.random() * 10 ** (1 + (i % 15)));
      values.push((i % 2 ? -m : m) / 10 ** k);
    }
    // Neighbours of round numbers: the last digits decide.
    for (let e = -8; e <= 22; e++) {
      const x = 10 ** e;
      const buf = Buffer.alloc(8);
      buf.writeDoubleLE(x);
      const bits = buf.readBigUInt64LE();
      for (const d of [-2n, -1n, 1n, 2n]) {
        buf.writeBigUInt64LE(bits + d);
        values.push(buf.readDoubleLE());
      }
    }
    const file = sqlFile(
      'doubles.sqlite',
      values.map((x) => ['NULL', lit(x), 'NULL', lit(x), 'NULL']),
    );
    const native = nativeBytes(file, 64 * 1024);
    expect(native.handed).toBe(0);
    expect(native.rows).toBe(values.length);
    const js = jsBytes(file);
    if (!native.bytes.equals(js)) {
      const a = native.bytes.toString().split('\r\n');
      const b = js.toString().split('\r\n');
      const i = a.findIndex((line, j) => line !== b[j]);
      expect(a[i]).toBe(b[i]);
    }
    expect(native.bytes.equals(js)).toBe(true);
  });

  it('prints integers, text, booleans, nulls and blobs as JavaScript does', () => {
    const ints = [
      '0',
      '1',
      '-1',
      '42',
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
      '-9007199254740992',
      '-9007199254740993',
      '9223372036854775807',
      '-9223372036854775808',
      '1000000000000000',
      '999999999999999',
      '123456789012345678',
    ];
    const texts = [
      "''",
      "'plain'",
      "'a,b'",
      `'say "hi"'`,
      "'\"'",
      `'line' || char(10) || 'break'`,
      `'cr' || char(13)`,
      `char(13, 10)`,
      "'ünïcödé café'",
      "'日本語の会社'",
      "'emoji 😀 ok'",
      `'nul' || char(0) || 'inside'`,
      `'${'long text without specials '.repeat(4)}'`,
      `'${'long text, with a comma '.repeat(4)}'`,
      // Not UTF-8: JavaScript replaces these bytes, so the row goes to it.
      "CAST(x'ff' AS TEXT)",
      "CAST(x'c080' AS TEXT)",
      "CAST(x'eda080' AS TEXT)",
      "CAST(x'41e282' AS TEXT)",
      "CAST(x'f4908080' AS TEXT)",
      "CAST(x'e28241' AS TEXT)",
    ];
    const bools = ['0', '1', '2', '-1', '0.0', '0.5', "'yes'", 'NULL', "x'00'"];
    const rows: string[][] = [];
    for (let i = 0; i < 60; i++) {
      rows.push([
        ints[i % ints.length]!,
        i % 5 === 0 ? "'not a number'" : i % 7 === 0 ? ints[i % ints.length]! : lit(i / 7),
        texts[i % texts.length]!,
        bools[i % bools.length]!,
        i % 11 === 0 ? "x'00ff10'" : i % 3 === 0 ? 'NULL' : "'2024-05-01T10:00:00.000Z'",
      ]);
    }
    const file = sqlFile('mixed.sqlite', rows);
    const native = nativeBytes(file, 64 * 1024);
    // The blobs and the text that is not UTF-8 were written by JavaScript.
    expect(native.handed).toBeGreaterThan(0);
    expect(native.rows).toBe(rows.length);
    expect(native.bytes.toString('latin1')).toBe(jsBytes(file).toString('latin1'));
  });

  it('fills blocks with whole rows; a row larger than a block goes to JavaScript', () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < 3_000; i++)
      rows.push([i, i / 3, `row ${i}, "quoted" ${'x'.repeat(i % 97)}`, i % 2, null]);
    rows.splice(1_500, 0, [1, 2, 'w'.repeat(10_000), 1, null]); // larger than a 4 KiB block
    const file = valueFile('blocks.sqlite', rows);
    const native = nativeBytes(file, 4 * 1024);
    expect(native.handed).toBe(1);
    expect(native.rows).toBe(rows.length);
    expect(native.bytes.equals(jsBytes(file))).toBe(true);
  });

  it('never hands over a row holding more than its hand limit; rows within it still go', () => {
    const file = valueFile('hand-limit.sqlite', [
      [1, 0.5, 'small', 1, null],
      [2, 0.5, 'y'.repeat(9_000), 0, null], // 9,000 + 4 numbers of 8: handed under a 10,000 limit
      [3, 0.5, 'z'.repeat(20_000), 0, null], // refused under it
      [4, 0.5, 'after', 1, null],
    ]);
    const reader = openNativeCsv(file, selectAll(), [], columns, 10_000)!;
    try {
      const block = Buffer.alloc(4 * 1024);
      const first = reader.fill(block, 0);
      expect(first).toMatchObject({ rows: 1, status: FILL_FULL });
      const second = reader.fill(block, 0);
      expect(second.status).toBe(FILL_HANDED);
      expect(second.values?.[2]).toHaveLength(9_000);
      expect(second.rowBytes).toBe(9_000 + 4 * 8);
      const third = reader.fill(block, 0);
      expect(third).toMatchObject({ rows: 0, status: FILL_TOO_LARGE, rowBytes: 20_000 + 4 * 8 });
      expect(third.values).toBeUndefined();
      // The reader stays on the refused row: asked again, it refuses it again.
      expect(reader.fill(block, 0)).toMatchObject({ status: FILL_TOO_LARGE });
    } finally {
      reader.close();
    }
    // Without a limit the same row goes to JavaScript.
    expect(nativeBytes(file, 4 * 1024).handed).toBe(2);
  });

  it('binds a filter as better-sqlite3 does and reads only the matching rows', () => {
    const rows = Array.from({ length: 500 }, (_, i) => [i, i / 2, `name ${i % 10}`, 0, null]);
    const file = valueFile('filtered.sqlite', rows);
    const q = compileQuery(
      { columns, timeColumn: 'at' },
      {
        columns: null,
        filter: {
          where: [
            { column: 'i', op: 'gte', value: 100 },
            { column: 't', op: 'eq', value: 'name 3' },
          ],
        },
      },
    );
    const native = nativeBytes(file, 64 * 1024, q.selectSql, q.params);
    expect(native.rows).toBe(40);
    expect(native.bytes.equals(jsBytes(file, q.selectSql, q.params))).toBe(true);
  });

  it('an export writes the same file with and without it', async () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < 5_000; i++)
      rows.push([
        i,
        i % 13 === 0 ? null : (i * 7.31) / 3,
        i % 17 === 0 ? Buffer.from([i % 256, 1, 2]) : `company ${i}, "ltd"\n${i}`,
        i % 3,
        new Date(1_700_000_000_000 + i * 1000).toISOString(),
      ]);
    rows.push([1, 1, 'y'.repeat(200_000), 1, null]); // larger than a block
    const file = valueFile('export.sqlite', rows);
    const q = compileQuery({ columns, timeColumn: 'at' }, { columns: null, filter: null });
    const out: Record<string, Buffer> = {};
    for (const native of [true, false]) {
      const finalPath = join(dir, `export-${String(native)}.csv.gz`);
      const result = await runExport(
        {
          datasetFile: file,
          selectSql: q.selectSql,
          keysetSql: keysetSql(q),
          countSql: q.countSql,
          params: q.params,
          columns,
          format: 'csv',
          compression: 'gzip',
          level: 1,
          finalPath,
          maxRows: 1_000_000,
          progressMs: 0,
          blockBytes: 16 * 1024,
          native,
        },
        () => undefined,
      );
      expect(result).toMatchObject({ type: 'done', rows: rows.length });
      if (result.type === 'done') expect(result.phases.reader).toBe(native ? 'native' : 'js');
      out[String(native)] = gunzipSync(readFileSync(finalPath));
    }
    expect(out.true!.length).toBeGreaterThan(200_000);
    expect(out.true!.equals(out.false!)).toBe(true);
  });
});

describe.skipIf(missing !== null)('the native reader in a worker thread', () => {
  it('a worker terminated in the middle of reading leaves no file open; one that ends closes it', async () => {
    const file = valueFile(
      'terminate.sqlite',
      Array.from({ length: 20_000 }, (_, i) => [i, i / 7, `text ${i}`, 1, null]),
    );
    const sql = selectAll();
    const openFiles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false;
        }
      }).length;
    const module = new URL('../../../electron/engine/exports/native-rows.ts', import.meta.url).href;
    // Reads a block, says so, then keeps reading one block at a time until terminated (or, with
    // `finish`, reads to the end and closes).
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.module).then(({ openNativeCsv }) => {
        const r = openNativeCsv(workerData.file, workerData.sql, [], workerData.columns);
        const buf = Buffer.alloc(4096);
        r.fill(buf, 0);
        parentPort.postMessage('reading');
        const step = () => {
          const f = r.fill(buf, 0);
          if (f.status === 1) { r.close(); parentPort.postMessage('closed'); return; }
          if (workerData.finish) step(); else setImmediate(step);
        };
        step();
      });`;
    for (let round = 0; round < 20; round++) {
      const finish = round % 4 === 3;
      const w = new Worker(code, {
        eval: true,
        workerData: { module, file, sql, columns, finish },
      });
      const said: string[] = [];
      await new Promise<void>((resolve, reject) => {
        w.on('message', (m: string) => {
          said.push(m);
          if (m === 'reading' && !finish) resolve();
          if (m === 'closed') resolve();
        });
        w.on('error', reject);
      });
      if (finish) expect(said).toEqual(['reading', 'closed']);
      else expect(openFiles()).toBeGreaterThan(0);
      await w.terminate();
    }
    // Terminated workers' connections are closed by the addon's finalizers.
    await expect.poll(openFiles, { timeout: 5_000 }).toBe(0);
  });
});
