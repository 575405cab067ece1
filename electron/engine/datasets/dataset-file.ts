// The per-dataset SQLite file: building it fast in scratch space, then making it durable.
import { closeSync, fsyncSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Db } from '../store/db.ts';

/** The one table every dataset file holds. */
export const DATA_TABLE = 'data';

/** A double-quoted SQL identifier; only ever used on names the dataset itself declares. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Opens a new file for building. Durability comes from fsync + rename once it is complete, so
 * the build itself runs without a journal and without syncs.
 */
export function openBuildFile(file: string): Db {
  const db = new Database(file);
  // Written once, then scanned whole by exports: the largest pages import a 2,000,000-row file
  // about 12% faster than the default 4 KB ones (9.1 s against 10.2-11.4 s).
  db.pragma('page_size = 65536');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -32768');
  return db;
}

/**
 * Indexes the time column and the requested index columns (each on its own, after the load: far
 * cheaper than keeping them during it), closes the file and flushes it to disk. Returns the
 * columns that have an index.
 */
export function finishBuildFile(
  db: Db,
  file: string,
  timeColumn: string | null,
  indexColumns: readonly string[] = [],
): Set<string> {
  const indexed = new Set<string>();
  if (timeColumn !== null) {
    db.exec(
      `CREATE INDEX ${quoteIdent(`${DATA_TABLE}_by_time`)} ON ${DATA_TABLE} (${quoteIdent(timeColumn)})`,
    );
    indexed.add(timeColumn);
  }
  indexColumns.forEach((name, i) => {
    if (indexed.has(name)) return;
    db.exec(
      `CREATE INDEX ${quoteIdent(`${DATA_TABLE}_by_${i + 1}`)} ON ${DATA_TABLE} (${quoteIdent(name)})`,
    );
    indexed.add(name);
  });
  db.close();
  fsyncPath(file);
  return indexed;
}

/** fsync a file or a directory (a rename is durable only once its directory is synced). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Names the dataset file's table columns may not take: they would hide the rowid exports order by. */
const RESERVED = new Set(['rowid', 'oid', '_rowid_']);

/**
 * Turns header names into distinct column names: blanks get `column_N`, names SQLite would take
 * for the same column (it compares them case-insensitively) or for the rowid get a suffix.
 */
export function uniqueColumnName(raw: string, index: number, taken: Set<string>): string {
  // eslint-disable-next-line no-control-regex
  let base = raw.replace(/[\u0000-\u001f]/g, '').trim();
  if (base === '') base = `column_${index + 1}`;
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()) || RESERVED.has(name.toLowerCase()); n++)
    name = `${base}_${n}`;
  taken.add(name.toLowerCase());
  return name;
}
