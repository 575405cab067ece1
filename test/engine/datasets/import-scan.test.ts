// The import's native CSV scanner (native/csv-scan.c via csv-scan.ts) reads files into exactly the
// tables the JavaScript reader builds: same values and storage classes, same column types, same
// errors with the same line numbers, whatever the chunk boundaries. Hand-made awkward files and
// random ones are imported both ways and compared. Skipped, with a notice, where
// native/build.mjs could not build the addon (no C compiler); CI builds it first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadCsvScan, NativeCsvFeed } from '../../../electron/engine/datasets/csv-scan.ts';
import { importFile } from '../../../electron/engine/datasets/import-file.ts';
import { SEP, TableSink } from '../../../electron/engine/datasets/table-sink.ts';
import { INTEGER_CODE, TEXT_CODE } from '../../../electron/engine/datasets/values.ts';

const scan = loadCsvScan();
if (scan === null) console.warn('native CSV scanner tests skipped: the addon is not built');

const dir = mkdtempSync(join(tmpdir(), 'em-import-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Every field as SQLite holds it (storage class and exact value), the columns, or the error. */
async function outcome(
  content: Buffer,
  native: boolean,
  chunkBytes: number,
  sinkThread = false,
): Promise<unknown> {
  const source = join(dir, `in-${++n}.csv`);
  writeFileSync(source, content);
  const out = join(dir, `out-${n}.sqlite`);
  try {
    const result = await importFile({ source, out, native, chunkBytes, sinkThread }, () => {});
    const db = new Database(out, { readonly: true });
    try {
      const cols = result.columns.map((c) => `typeof("${c.name}") || ':' || quote("${c.name}")`);
      const rows = db
        .prepare(`SELECT ${cols.join(', ')} FROM data ORDER BY rowid`)
        .raw()
        .all();
      return { result, rows };
    } finally {
      db.close();
    }
  } catch (err) {
    return { error: (err as Error).message, code: (err as { code?: unknown }).code };
  }
}

async function same(content: string | Buffer, chunkBytes = 1 << 20): Promise<unknown> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const js = await outcome(bytes, false, chunkBytes);
  const native = await outcome(bytes, true, chunkBytes);
  expect(native, `chunk ${chunkBytes}: ${JSON.stringify(bytes.toString('latin1'))}`).toEqual(js);
  return js;
}

const ts = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 3_600_123).toISOString();

describe.skipIf(scan === null)('the native CSV scanner', () => {
  it('cuts, checks and writes records, declining what JavaScript must read', () => {
    const run = (text: string, kinds: number[], final = false, maxRows = 100) => {
      const bytes = Buffer.from(text);
      const out = new Uint8Array(256);
      const res = new Float64Array(6);
      scan!(bytes, 0, bytes.length, final, Uint8Array.from(kinds), out, 0, 0, maxRows, res);
      return {
        payload: Buffer.from(out.subarray(0, res[1])).toString().split('\0'),
        pos: res[0],
        rows: res[2],
        lines: res[3],
        status: res[4],
        declinedEnd: res[5],
      };
    };
    // integer, text, timestamp; quotes removed and doubled quotes undone; CRLF; a quoted newline.
    const text = `1,"a ""b""",${ts(0)}\r\n-7,"x\ny",\n2`;
    expect(run(text, [1, 5, 4])).toEqual({
      payload: ['1', 'a "b"', ts(0), '-7', 'x\ny', ''],
      pos: text.lastIndexOf('2'),
      rows: 2,
      lines: 3,
      status: 0,
      declinedEnd: 0,
    });
    // The last record without a newline is read only at the end of the input.
    expect(run('1,a\n2,b', [1, 5], true)).toMatchObject({ rows: 2, status: 0, pos: 7 });
    // A value that does not fit its column (2.5 in an integer column) stops the scan there.
    expect(run('1,a\n2.5,b\n3,c\n', [1, 5])).toMatchObject({
      payload: ['1', 'a'],
      rows: 1,
      status: 2,
      pos: 4,
      declinedEnd: 10,
    });
    // As do an unknown column's first value, a ragged row and a non-canonical timestamp.
    expect(run('x\n', [0])).toMatchObject({ rows: 0, status: 2, declinedEnd: 2 });
    expect(run('1\n', [1, 1])).toMatchObject({ rows: 0, status: 2 });
    expect(run('2024-01-01\n', [4])).toMatchObject({ rows: 0, status: 2 });
    // Bytes that are not UTF-8, and NUL, are JavaScript's to decode.
    expect(run('aÿ\n', [5])).toMatchObject({ rows: 1, status: 0 });
    const bad = Buffer.from([0x61, 0xff, 0x0a]);
    const res = new Float64Array(6);
    scan!(bad, 0, 3, false, Uint8Array.of(5), new Uint8Array(16), 0, 0, 10, res);
    expect(res[4]).toBe(2);
    // A character after a closing quote hands the rest of the file to JavaScript.
    expect(run('"a"b,1\n', [5, 1])).toMatchObject({ rows: 0, status: 3, pos: 0 });
    // maxRows
    expect(run('1\n2\n3\n', [1], false, 2)).toMatchObject({ rows: 2, status: 1, pos: 4 });
    // A record cut by the end of the bytes waits for more.
    expect(run('1,"a\n', [1, 5])).toMatchObject({ rows: 0, status: 0, pos: 0 });
  });

  it('reads hand-made awkward files into the same tables and errors as JavaScript', async () => {
    const many = (row: (i: number) => string, rows = 300) =>
      Array.from({ length: rows }, (_, i) => row(i)).join('\n');
    const cases: (string | Buffer)[] = [
      'a,b\n1,2\n\n3,4\n',
      'a\nx\n\ny\n',
      '\ufeffid,name\n1,x\n2,y\n',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from('id\n1\n')]),
      'id,v\r\n1,"a\r\nb"\r\n2,"c"\r\n3,\r\n',
      'id,v\n1,"a""b"\n2,"""q"""\n3,""\n',
      'id,v\n1,a"b\n2,"x"y\n3,z\n',
      'id,v\n1,"open\n2,x\n',
      'id,v\n1,2,3\n',
      'id,v\n1\n',
      'n\n1\n2\n007\n3\n',
      'n\n1\n-0\n2\n',
      'n\n9007199254740991\n9007199254740992\n',
      'r\n1.5\n.5\n5.\n1e308\n1e309\n-2.5E-3\n1\n',
      `r\n1\n${'9'.repeat(310)}\n`,
      `r\n1.5\n${'9'.repeat(290)}.5\n1e-400\n`,
      'b\ntrue\nfalse\n\nTRUE\n',
      `t\n${ts(1)}\n${ts(2)}\n2024-02-30T00:00:00.000Z\n`,
      `t\n${ts(1)}\n2024-03-01 10:00\n${ts(3)}\n`,
      `t,x\n${ts(1)},1\n"${ts(2)}",2\n`,
      'x\nplain\nünïcödé\n日本語\nemoji 😀\n',
      Buffer.concat([
        Buffer.from('x,y\n1,ok\n2,bad'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('\n3,z\n'),
      ]),
      Buffer.concat([Buffer.from('x,y\n1,ok\n2,cut'), Buffer.from([0xe6, 0x97])]),
      'x,y\n1,nul\u0000inside\n2,z\n',
      'x,y\n1,"a"\r',
      'x,y\n1,a\r',
      'x,y\n1,"a"',
      'x,y\n1,a\rb\n',
      'x\n"unclosed\n',
      '',
      '   \n\n',
      'id\n',
      ',,\n1,2,3\n',
      'a,A,rowid\n1,2,3\n',
      `${many((i) => `c${i}`, 5)}\n${many((i) => String(i), 5).replaceAll('\n', ',')}\n`,
      `id,v\n${many((i) => `${i},${i % 50 === 49 ? 'x' : i}`)}\n`,
      `id,t\n${many((i) => `${i},${i % 3 ? ts(i) : '2024-01-01'}`, 3000)}\n`,
      `id,big\n1,${'x'.repeat(600_000)}\n2,small\n`,
      // Larger than the batch's first buffer (1 MB): it grows, for a row JavaScript reads (the
      // first, which settles the types) and for one the scanner reads.
      `id,big\n1,${'x'.repeat(1_500_000)}\n2,small\n`,
      `id,big\n1,a\n2,${'y'.repeat(3_000_000)}\n3,z\n`,
    ];
    for (const c of cases) for (const chunk of [1 << 20, 64]) await same(c, chunk);
  });

  it('reads records cut anywhere by the chunks: quotes, CRLF, multi-byte characters', async () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${i},"line ${i}\r\nnext, ""q""",日本${i}😀,${ts(i)},${i % 3 === 0}`,
    );
    const file = `id,a,b,t,ok\r\n${rows.join('\r\n')}`;
    for (const chunk of [1, 2, 3, 7])
      expect(await same(file, chunk)).toMatchObject({ result: { rowCount: 40 } });
    expect(await same(`\ufeffid,name\n1,é\n2,"x\ny"\n`, 1)).toMatchObject({
      result: { rowCount: 2, columns: [{ name: 'id' }, { name: 'name' }] },
    });
  });

  it('reads random files into the same tables and errors as JavaScript', async () => {
    let seed = 7;
    const rand = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    // What a column holds; the last ones only ever come as surprises.
    const kinds = ['1', '-3', '0', '12.5', '.5', '1e5', 'true', 'false', ts(5), 'text', 'a b'];
    const pieces = [
      ...kinds,
      ...['é', '😀', '"q"', '"a""b"', '"x\ny"', '', '07', '2024-05-01', '\r'],
      ...['"', '\u0000'],
    ];
    const counts: { scanned: number }[] = [];
    const end = NativeCsvFeed.prototype.end;
    const spy = vi.spyOn(NativeCsvFeed.prototype, 'end').mockImplementation(function (
      this: NativeCsvFeed,
    ) {
      end.call(this);
      counts.push(this.counts);
    });
    let imported = 0;
    let rowsWritten = 0;
    let scanned = 0;
    try {
      for (let f = 0; f < 120; f++) {
        const cols = 1 + rand(4);
        const lines = [Array.from({ length: cols }, (_, i) => `c${i}`).join(',')];
        const rows = rand(200);
        // Each column of one kind, with surprises: none, a few, or many; ragged rows in some files.
        const column = Array.from({ length: cols }, () => pieces[rand(kinds.length)]!);
        const surprise = [0, 50, 6][rand(3)]!;
        const ragged = rand(6) === 0;
        for (let r = 0; r < rows; r++) {
          const width = ragged && rand(20) === 0 ? cols + 1 : cols;
          lines.push(
            Array.from({ length: width }, (_, c) =>
              surprise && rand(surprise) === 0 ? pieces[rand(pieces.length)] : column[c % cols],
            ).join(','),
          );
        }
        let bytes = Buffer.from(lines.join(rand(3) === 0 ? '\r\n' : '\n') + (rand(2) ? '\n' : ''));
        if (rand(10) === 0) bytes = Buffer.concat([bytes, Buffer.from([0xff])]);
        const before = counts.length;
        const js = (await same(bytes, 128 + rand(64))) as { result?: { rowCount: number } };
        if (js.result) {
          imported++;
          rowsWritten += js.result.rowCount;
          for (const c of counts.slice(before)) scanned += c.scanned;
        }
      }
    } finally {
      spy.mockRestore();
    }
    // Not just errors compared: over half the files import, and the scanner read most of their rows.
    expect(imported).toBeGreaterThan(50);
    expect(scanned).toBeGreaterThan(rowsWritten / 2);
  });

  it('byte batches are inserted as text batches are, with the extension and without it', () => {
    const rows = [
      ['1', 'plain'],
      ['', 'ünï 😀'],
      ['-7', ''],
    ];
    const text = rows.flat().join(SEP);
    const dumps = [];
    for (const native of [true, false])
      for (const payload of [text, new Uint8Array(Buffer.from(text))]) {
        const file = join(dir, `batch-${++n}.sqlite`);
        const sink = new TableSink(file, { native });
        sink.addColumn('n');
        sink.addColumn('s');
        sink.write({ types: [INTEGER_CODE, TEXT_CODE], rows: 3, payload });
        sink.finish([INTEGER_CODE, TEXT_CODE], null);
        const db = new Database(file, { readonly: true });
        dumps.push(db.prepare('SELECT typeof(n), n, typeof(s), s FROM data').raw().all());
        db.close();
      }
    expect(dumps[0]).toEqual([
      ['integer', 1, 'text', 'plain'],
      ['null', null, 'text', 'ünï 😀'],
      ['integer', -7, 'null', null],
    ]);
    for (const d of dumps) expect(d).toEqual(dumps[0]);
  });

  it('takes the rows itself (the JavaScript reader only sees the records it declines)', async () => {
    const counts: { scanned: number; declined: number; rest: boolean }[] = [];
    const end = NativeCsvFeed.prototype.end;
    const spy = vi.spyOn(NativeCsvFeed.prototype, 'end').mockImplementation(function (
      this: NativeCsvFeed,
    ) {
      end.call(this);
      counts.push(this.counts);
    });
    try {
      const lines = ['id,at,name,score,ok'];
      for (let i = 0; i < 20_000; i++)
        lines.push(`${i},${ts(i)},"Name, ${i}",${i / 4},${i % 2 === 0}`);
      const text = lines.join('\n') + '\n';
      for (const gz of [false, true]) {
        const source = join(dir, `clean-${gz}.csv${gz ? '.gz' : ''}`);
        writeFileSync(source, gz ? gzipSync(text) : text);
        const out = join(dir, `clean-${gz}.sqlite`);
        const result = await importFile({ source, out, sinkThread: true }, () => {});
        expect(result.rowCount).toBe(20_000);
        expect(result.columns.map((c) => c.type)).toEqual([
          'integer',
          'timestamp',
          'text',
          'real',
          'boolean',
        ]);
      }
      // The header and the first row settle the types; 0.25 then widens score to real.
      expect(counts).toEqual([
        { scanned: 19_998, declined: 3, rest: false },
        { scanned: 19_998, declined: 3, rest: false },
      ]);
      const js = await outcome(Buffer.from(text), false, 1 << 16, true);
      const native = await outcome(Buffer.from(text), true, 1 << 16, true);
      expect(native).toEqual(js);
    } finally {
      spy.mockRestore();
    }
  });
});
