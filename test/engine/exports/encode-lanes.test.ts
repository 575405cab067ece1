// Lanes (encode-lanes.ts): a large export read and encoded on two worker threads writes exactly the
// bytes one thread writes, under a filter that leaves holes in rowid, for every compression.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runExport,
  type ExportWorkerInput,
} from '../../../electron/engine/exports/export-pipeline.ts';
import { laneWindows, rangeSqlOf } from '../../../electron/engine/exports/encode-lanes.ts';
import { keysetSql } from '../../../electron/engine/exports/row-batches.ts';
import type { EncoderColumn } from '../../../electron/engine/exports/encoders.ts';

const ROWS = 30_000;
let dir = '';
let file = '';
const columns: EncoderColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'note', type: 'text' },
  { name: 'score', type: 'real' },
  { name: 'ok', type: 'boolean' },
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lanes-'));
  file = join(dir, 'ds.sqlite');
  const db = new Database(file);
  db.exec('CREATE TABLE data (id, note, score, ok)');
  const ins = db.prepare('INSERT INTO data VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= ROWS; i++)
      ins.run(
        i,
        i % 7 === 0 ? `say "hi", ${i}\r\nnext` : i % 11 === 0 ? null : `note ${i} é`,
        i / 3,
        i % 2,
      );
  })();
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exportWith(
  name: string,
  compression: 'gzip' | 'zstd' | 'none',
  format: 'csv' | 'jsonl',
  laneMinRows: number,
  where = '',
  params: unknown[] = [],
) {
  const cols = columns.map((c) => `"${c.name}"`).join(', ');
  const countSql = `SELECT count(*) AS n FROM data${where}`;
  const input: ExportWorkerInput = {
    datasetFile: file,
    selectSql: `SELECT ${cols} FROM data${where} ORDER BY rowid`,
    keysetSql: keysetSql({ countSql, columns }),
    countSql,
    params,
    columns,
    format,
    compression,
    level: 3,
    finalPath: join(dir, name),
    maxRows: 1e9,
    progressMs: 0,
    laneMinRows,
  };
  const r = await runExport(input, () => {});
  if (r.type !== 'done') throw new Error(JSON.stringify(r));
  const raw = readFileSync(input.finalPath);
  const plain =
    compression === 'gzip'
      ? gunzipSync(raw)
      : compression === 'zstd'
        ? zstdDecompressSync(raw)
        : raw;
  return { r, raw, plain: plain.toString('utf8') };
}

describe('export lanes', () => {
  it('turns the keyset page query into a rowid window query', () => {
    expect(
      rangeSqlOf('SELECT "a", rowid FROM data WHERE (x = ?) AND rowid > ? ORDER BY rowid LIMIT ?'),
    ).toBe(
      'SELECT "a", rowid FROM data WHERE (x = ?) AND rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?',
    );
    expect(rangeSqlOf('SELECT "a" FROM data ORDER BY rowid')).toBeNull();
  });

  for (const compression of ['gzip', 'zstd', 'none'] as const)
    for (const format of ['csv', 'jsonl'] as const)
      it(`writes the same bytes on lanes as on one thread (${compression}, ${format})`, async () => {
        const one = await exportWith(`one.${compression}.${format}`, compression, format, 1e12);
        const two = await exportWith(`two.${compression}.${format}`, compression, format, 1);
        expect(one.r.type === 'done' && one.r.phases.lanes).toBe(0);
        expect(two.r.type === 'done' && two.r.phases.lanes).toBe(2);
        expect(two.plain).toBe(one.plain);
        // Compressed bytes depend on where blocks end (lanes fill whole blocks); the content may not.
        if (compression === 'none') expect(two.raw.equals(one.raw)).toBe(true);
        const lines = two.plain.split(format === 'csv' ? /\r\n(?=\d|$)/ : '\n');
        expect(lines.filter((l) => l !== '').length).toBe(ROWS + (format === 'csv' ? 1 : 0));
        expect(two.r.type === 'done' && two.r.rows).toBe(ROWS);
      });

  it('keeps rowid order and every match under a filter that leaves holes', async () => {
    const where = ' WHERE ("id" % 5 <> 0 AND "id" > ?)';
    const one = await exportWith('f1.csv', 'none', 'csv', 1e12, where, [1234]);
    const two = await exportWith('f2.csv', 'none', 'csv', 1, where, [1234]);
    expect(two.r.type === 'done' && two.r.phases.lanes).toBe(2);
    expect(two.plain).toBe(one.plain);
    const ids = two.plain
      .split('\r\n')
      .slice(1)
      .filter((l) => /^\d+,/.test(l))
      .map((l) => Number(l.split(',')[0]));
    expect(ids[0]).toBe(1236);
    expect(ids.every((id, i) => id % 5 !== 0 && (i === 0 || id > ids[i - 1]!))).toBe(true);
  });

  it('hands window memory back to the lanes and still yields every row in order', async () => {
    const one = await exportWith('w1.csv', 'none', 'csv', 1e12);
    const range = rangeSqlOf(keysetSql({ countSql: 'SELECT count(*) AS n FROM data', columns })!)!;
    const setup = {
      datasetFile: file,
      rangeSql: range,
      params: [],
      columns,
      format: 'csv' as const,
    };
    const parts: Buffer[] = [];
    let windows = 0;
    let handedBack = 0;
    let previous: Buffer | null = null;
    // Windows of about 4 KB: hundreds of them, so buffers go round many times.
    for await (const w of laneWindows(setup, { lo: 1, hi: ROWS }, 2, 4096)) {
      // The window before this one was handed back with the next request (moved to a lane): its
      // memory is gone here. Only the last few, with no request left to carry them, stay.
      if (previous?.length === 0) handedBack++;
      parts.push(Buffer.from(w.bytes));
      previous = w.bytes;
      windows++;
    }
    expect(windows).toBeGreaterThan(100);
    expect(handedBack).toBeGreaterThan(windows - 10);
    const header = one.plain.slice(0, one.plain.indexOf('\r\n') + 2);
    expect(header + Buffer.concat(parts).toString('utf8')).toBe(one.plain);
  });
});
