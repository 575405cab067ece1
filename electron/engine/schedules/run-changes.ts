// What changed between two runs' files: rows added, removed and changed, matched by a key column.
// Both files stream into a temporary SQLite database on disk, so memory stays bounded however many
// rows they hold; the changes file is written from a query, row by row.
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { defaultKey } from '../../../shared/change-key.ts';
import { readRows, type Row } from './run-file-rows.ts';

export { defaultKey };

export interface RunChanges {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly key: string;
}

const BATCH = 5_000;
/** The key of a row without one: its whole content, so it matches only an identical row. */
const NO_KEY = '\u0001';

export interface DiffJob {
  readonly previous: string;
  readonly next: string;
  readonly out: string;
  readonly tmpDir: string;
  readonly key?: string | null;
}

const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/**
 * Compares `previous` with `next` and writes `out`, a CSV of `change,key,old,new` (old and new as
 * JSON objects). Rows are matched by `key`; duplicates of a key are matched in file order (the
 * second `7` with the second `7`), and a row with an empty key matches only an identical row.
 */
export async function diffRunFiles(opts: DiffJob): Promise<RunChanges> {
  mkdirSync(opts.tmpDir, { recursive: true });
  const dbPath = join(opts.tmpDir, `changes-${process.pid}-${Date.now()}-${Math.random()}.db`);
  const db = new Database(dbPath);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    // Sorting and indexing spill to temporary files past a small page cache: memory stays flat.
    db.pragma('cache_size = -8192');
    db.pragma('temp_store = FILE');
    db.exec(`CREATE TABLE prev_rows (k TEXT NOT NULL, row TEXT NOT NULL);
             CREATE TABLE next_rows (k TEXT NOT NULL, row TEXT NOT NULL);`);
    let key = opts.key ?? null;
    const load = async (table: string, path: string) => {
      const insert = db.prepare(`INSERT INTO ${table} (k, row) VALUES (?, ?)`);
      const flush = db.transaction((rows: [string, string][]) => {
        for (const r of rows) insert.run(r[0], r[1]);
      });
      let batch: [string, string][] = [];
      const add = (row: Row) => {
        // Without a key chosen, the first row's columns choose it (a CSV's header).
        key ??= defaultKey(Object.keys(row));
        const json = JSON.stringify(row);
        const v = row[key];
        const k = v === undefined || v === null || v === '' ? NO_KEY + json : String(v);
        batch.push([k, json]);
        if (batch.length >= BATCH) {
          flush(batch);
          batch = [];
        }
      };
      const columns = await readRows(path, add);
      key ??= defaultKey(columns);
      flush(batch);
    };
    await load('prev_rows', opts.previous);
    await load('next_rows', opts.next);
    // The n-th row of a key in one file pairs with the n-th of that key in the other.
    db.exec(`CREATE TABLE p AS SELECT k, ROW_NUMBER() OVER (PARTITION BY k ORDER BY rowid) AS occ, row FROM prev_rows;
             CREATE TABLE n AS SELECT k, ROW_NUMBER() OVER (PARTITION BY k ORDER BY rowid) AS occ, row FROM next_rows;
             DROP TABLE prev_rows; DROP TABLE next_rows;
             CREATE INDEX p_k ON p (k, occ); CREATE INDEX n_k ON n (k, occ);`);
    mkdirSync(dirname(opts.out), { recursive: true });
    const out = createWriteStream(opts.out);
    const write = async (line: string) => {
      if (!out.write(line)) await once(out, 'drain');
    };
    const counts = { added: 0, removed: 0, changed: 0 };
    const keyOf = (k: string) => (k.startsWith(NO_KEY) ? '' : k);
    await write('change,key,old,new\n');
    const queries = [
      [
        'added',
        'SELECT n.k AS k, NULL AS old, n.row AS new FROM n LEFT JOIN p USING (k, occ) WHERE p.k IS NULL',
      ],
      [
        'removed',
        'SELECT p.k AS k, p.row AS old, NULL AS new FROM p LEFT JOIN n USING (k, occ) WHERE n.k IS NULL',
      ],
      [
        'changed',
        'SELECT p.k AS k, p.row AS old, n.row AS new FROM p JOIN n USING (k, occ) WHERE p.row <> n.row',
      ],
    ] as const;
    for (const [change, sql] of queries) {
      for (const r of db.prepare(sql).iterate() as IterableIterator<{
        k: string;
        old: string | null;
        new: string | null;
      }>) {
        counts[change]++;
        await write(
          `${change},${csvField(keyOf(r.k))},${csvField(r.old ?? '')},${csvField(r.new ?? '')}\n`,
        );
      }
    }
    out.end();
    await once(out, 'close');
    return { ...counts, key: key ?? 'id' };
  } finally {
    db.close();
    rmSync(dbPath, { force: true });
  }
}
