// The export worker's row reading and memory bounds: pages that shrink for wide rows, text flushed
// per row, and a clear failure when a row is too large for the worker's heap.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import type { ExportFilter } from '../../../shared/schemas/exports.ts';
import { BATCH_ROWS, keysetSql, rowBatches } from '../../../electron/engine/exports/row-batches.ts';
import { compileQuery } from '../../../electron/engine/datasets/filter-sql.ts';
import { nativeReaderMissing } from '../../../electron/engine/exports/native-rows.ts';
import {
  runExport,
  type ExportWorkerInput,
} from '../../../electron/engine/exports/export-pipeline.ts';
import { tempDir } from '../../helpers/context.ts';
import { makeRig, writeRows, type Rig } from './harness.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const wideColumns: DatasetColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'body', type: 'text' },
];

/** The export worker's input for a file of wideColumns rows: csv.gz level 6 into `finalPath`. */
function wideInput(
  file: string,
  filter: ExportFilter | null,
  finalPath: string,
): ExportWorkerInput {
  const q = compileQuery({ columns: wideColumns, timeColumn: null }, { columns: null, filter });
  return {
    datasetFile: file,
    selectSql: q.selectSql,
    keysetSql: keysetSql(q),
    countSql: q.countSql,
    params: q.params,
    columns: wideColumns,
    format: 'csv',
    compression: 'gzip',
    level: 6,
    finalPath,
    maxRows: 1_000_000,
    progressMs: 1_000,
  };
}

describe('rowBatches', () => {
  it('asks for the page size before every page, on keyset pages and on a whole query', () => {
    rig = makeRig({}, {}, false);
    const ds = rig.addDataset('people', 2_500);
    const db = new Database(ds.file, { readonly: true });
    try {
      for (const filter of [null, { where: [{ column: 'at', op: 'gte', value: '2026-01-01' }] }]) {
        const q = compileQuery(ds, { columns: null, filter: filter as never });
        const sizes = [7, 300, 5000, 0];
        let asked = 0;
        const seen: number[] = [];
        const ids: number[] = [];
        for (const batch of rowBatches(db, q.selectSql, keysetSql(q), q.params, () => {
          return sizes[Math.min(asked++, sizes.length - 1)]!;
        })) {
          seen.push(batch.length);
          for (const row of batch) ids.push(row[0] as number);
        }
        // 7, 300, then at most BATCH_ROWS, then never less than one row per page.
        expect(seen.slice(0, 3)).toEqual([7, 300, BATCH_ROWS]);
        expect(seen.slice(3).every((n) => n === 1)).toBe(true);
        expect(ids).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 1));
      }
    } finally {
      db.close();
    }
  }, 30_000);
});

describe('wide rows', () => {
  it('exports rows of megabytes whole, in order, compressed and not', async () => {
    rig = makeRig({}, { blockBytes: 64 * 1024 });
    const big = (i: number) => `${i}:` + String.fromCharCode(97 + (i % 26)).repeat(3_000_000);
    const rows: unknown[][] = [];
    for (let i = 1; i <= 40; i++) rows.push([i, i % 4 === 0 ? big(i) : `small ${i}`]);
    rig.addRows('wide', wideColumns, rows);
    for (const compression of ['gzip', 'none'] as const) {
      const { export: created } = rig.svc.create({
        dataset: 'wide',
        format: 'csv',
        compression,
      });
      const done = await rig.waitFinal(created.id, 60_000);
      expect(done.status, JSON.stringify(done.error)).toBe('completed');
      const raw = readFileSync(join(rig.ctx.paths.filesDir, done.id, done.files[0]!.filename));
      const lines = (compression === 'gzip' ? gunzipSync(raw) : raw).toString('utf8').split('\r\n');
      expect(lines[0]).toBe('id,body');
      expect(lines.slice(1, -1)).toEqual(rows.map((r) => `${r[0]},${r[1]}`));
      expect(done.row_count).toBe(40);
    }
  }, 90_000);

  it('reads fewer rows per page once rows turn out wide', async () => {
    const dir = tempDir('em-pipeline-');
    try {
      const file = join(dir, 'wide.sqlite');
      // 3,000 rows of ~20 KB: the first page (1,000 rows) is ~20 MB of text, so the next pages
      // hold ~50 rows each (about 1 MB).
      writeRows(
        file,
        wideColumns,
        Array.from({ length: 3_000 }, (_, i) => [i + 1, 'w'.repeat(20_000)]),
      );
      const pages: number[] = [];
      let last = 0;
      const result = await runExport(
        {
          ...wideInput(file, null, join(dir, 'wide.csv.gz')),
          level: 1,
          progressMs: 0, // a progress message after every page
          native: false, // pages are the JavaScript reader's (the native one fills blocks)
        },
        (m) => {
          if (m.type !== 'progress' || m.stage !== 'writing' || m.rows === last) return;
          pages.push(m.rows - last);
          last = m.rows;
        },
      );
      expect(result).toMatchObject({ type: 'done', rows: 3_000 });
      expect(pages[0]).toBe(BATCH_ROWS);
      expect(pages.slice(1, -1).every((n) => n >= 40 && n <= 60)).toBe(true);
      expect(pages.reduce((a, b) => a + b, 0)).toBe(3_000);
      const lines = gunzipSync(readFileSync(join(dir, 'wide.csv.gz')))
        .toString()
        .split('\r\n');
      expect(lines).toHaveLength(3_002); // header, rows, and the empty string after the last CRLF
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('gives each export of a thread its own bytes: buffers reused after success, not after failure', async () => {
    const dir = tempDir('em-pipeline-');
    try {
      const file = join(dir, 'rows.sqlite');
      const all = Array.from({ length: 3_000 }, (_, i) => [
        i + 1,
        `row ${i + 1} ` + 'x'.repeat(i % 97),
      ]);
      writeRows(file, wideColumns, all);
      const run = (upTo: number, name: string, failAfterBytes?: number) =>
        runExport(
          {
            ...wideInput(
              file,
              { where: [{ column: 'id', op: 'lte', value: upTo }] },
              join(dir, name),
            ),
            blockBytes: 16 * 1024, // many blocks, several of them in flight
            ...(failAfterBytes !== undefined ? { failAfterBytes } : {}),
          },
          () => undefined,
        );
      const expectRows = (name: string, upTo: number) => {
        const text = gunzipSync(readFileSync(join(dir, name))).toString('utf8');
        const want = ['id,body', ...all.slice(0, upTo).map((r) => `${r[0]},${r[1]}`), ''];
        expect(text).toBe(want.join('\r\n'));
      };
      // A large export, then a small one: the small one's file holds none of the large one's rows.
      expect(await run(3_000, 'a.csv.gz')).toMatchObject({ type: 'done', rows: 3_000 });
      expect(await run(5, 'b.csv.gz')).toMatchObject({ type: 'done', rows: 5 });
      // A failure mid-file (disk full after 3 KB), then exports on the same thread are whole.
      expect(await run(3_000, 'c.csv.gz', 3_000)).toMatchObject({ code: 'DISK_FULL' });
      expect(await run(2_000, 'd.csv.gz')).toMatchObject({ type: 'done', rows: 2_000 });
      expect(await run(1, 'e.csv.gz')).toMatchObject({ type: 'done', rows: 1 });
      expectRows('a.csv.gz', 3_000);
      expectRows('b.csv.gz', 5);
      expectRows('d.csv.gz', 2_000);
      expectRows('e.csv.gz', 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('fails with a clear message when one row does not fit in the worker heap', async () => {
    rig = makeRig({}, { workerOldGenMb: 16 });
    rig.addRows('huge', wideColumns, [
      [1, 'ok'],
      // Over the worker's heap: refused before it becomes a string there (running the worker out
      // of memory may abort the whole process, not only the worker).
      [2, 'x'.repeat(20_000_000)],
    ]);
    const { export: created } = rig.svc.create({ dataset: 'huge', format: 'csv' });
    const done = await rig.waitFinal(created.id, 60_000);
    expect(done.status).toBe('failed');
    expect(done.error?.message).toMatch(
      nativeReaderMissing() === null
        ? /^Row 2 of the export holds 19\.1 MB of values, more than a quarter of the export's 16 MB of memory: it is too large to export\.$/
        : // Without the native reader (no C compiler), the worker runs out of memory and stops.
          /more than 16 MB of memory.*too large to export/,
    );
    expect(rig.filesOf(done.id)).toEqual([]);
    // The engine goes on: an ordinary export after it completes.
    rig.addDataset('people', 100);
    const next = rig.svc.create({ dataset: 'people', format: 'csv' }).export;
    expect((await rig.waitFinal(next.id)).status).toBe('completed');
  }, 90_000);
});
