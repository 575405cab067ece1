// Bench data: a deterministic 10-column CSV, the same rows in a plain SQLite file, and its gzip.
// Everything is cached under node_modules/.cache/export-manager-bench/ so reruns start at once.
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import Database from 'better-sqlite3';

/** Bumped whenever the generated rows change, so stale caches are never reused. */
const DATA_VERSION = 1;

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cacheDir = join(repoRoot, 'node_modules', '.cache', 'export-manager-bench');

export const columns = [
  'id',
  'created_at',
  'name',
  'email',
  'city',
  'note',
  'quantity',
  'amount',
  'score',
  'status',
] as const;

const FIRST = words(
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia Nathan Joyce Henry Virginia Zoë José Renée Søren',
);
const LAST = words(
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez OBrien Müller Østergaard',
);
const DOMAINS = words('example.com example.org example.net example.io');
const CITIES = words(
  'Austin Dallas Houston Denver Seattle Portland Boston Chicago Miami Atlanta Phoenix Raleigh Tampa Detroit Omaha Tulsa Fresno Mesa Oakland Reno',
);
const WORDS = words(
  'call back next week about the renewal pricing quote sent demo booked left voicemail asked for a discount wants annual plan needs approval from finance follow up on integration trial extended champion changed role budget frozen until Q3 interested in exports moved to new vendor happy with support requested invoice',
);
const STATUSES = words('active trial churned paused active active');

function words(s: string): string[] {
  return s.split(' ');
}

/** A 32-bit mix of (row, field): the same row always has the same values, in any order. */
function mix(row: number, field: number): number {
  let h = Math.imul(row ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(field + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

const pick = <T>(xs: readonly T[], r: number): T => xs[r % xs.length]!;
const BASE_MS = Date.UTC(2024, 0, 1);

/** Row `i` (0-based) as the values a typed table holds; the CSV is these values, encoded. */
export function makeRow(
  i: number,
): [number, string, string, string, string, string, number, number, number, string] {
  const first = pick(FIRST, mix(i, 1));
  const last = pick(LAST, mix(i, 2));
  const created = new Date(BASE_MS + i * 15_000 + (mix(i, 3) % 15) * 1000).toISOString();
  const nWords = 2 + (mix(i, 4) % 5);
  let note = '';
  for (let w = 0; w < nWords; w++) note += (w ? ' ' : '') + pick(WORDS, mix(i, 10 + w));
  // One row in 16 needs CSV quoting: a comma and a quoted word.
  if (mix(i, 5) % 16 === 0) note += `, "${pick(WORDS, mix(i, 6))}"`;
  return [
    i + 1,
    created,
    `${first} ${last}`,
    `${first.toLowerCase()}.${last.toLowerCase()}${mix(i, 7) % 1000}@${pick(DOMAINS, mix(i, 8))}`,
    pick(CITIES, mix(i, 9)),
    note,
    mix(i, 20) % 1_000,
    (mix(i, 21) % 100_000) / 100,
    (mix(i, 22) % 100) / 100,
    pick(STATUSES, mix(i, 23)),
  ];
}

function csvValue(v: string | number): string {
  if (typeof v === 'number') return String(v);
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** A generated table: its columns, its CREATE TABLE and row i's values. */
export interface DataKind {
  readonly tag: string;
  readonly columns: readonly string[];
  readonly createSql: string;
  makeRow(i: number): (string | number)[];
}

export const notesKind: DataKind = {
  tag: 'notes',
  columns,
  // A plain table as a user would make it: typed columns, id as the rowid.
  createSql: `CREATE TABLE rows (id INTEGER PRIMARY KEY, created_at TEXT, name TEXT, email TEXT,
      city TEXT, note TEXT, quantity INTEGER, amount REAL, score REAL, status TEXT)`,
  makeRow,
};

export interface BenchData {
  readonly kind: DataKind;
  readonly rows: number;
  readonly csv: string;
  readonly sqlite: string;
  readonly csvBytes: number;
}

export const paths = (rows: number, kind: DataKind = notesKind) => {
  const prefix = kind === notesKind ? 'rows' : kind.tag;
  const base = join(cacheDir, `${prefix}-v${DATA_VERSION}-${rows}`);
  return { csv: `${base}.csv`, sqlite: `${base}.sqlite`, gz: `${base}.csv.gz` };
};

/** Writes the CSV and the SQLite file for `rows` rows unless the cache already has them. */
export function ensureData(
  rows: number,
  log: (s: string) => void,
  kind: DataKind = notesKind,
): BenchData {
  mkdirSync(cacheDir, { recursive: true });
  const p = paths(rows, kind);
  if (!existsSync(p.csv) || !existsSync(p.sqlite)) {
    const t0 = performance.now();
    log(
      `generating ${rows.toLocaleString('en-US')} ${kind.tag} rows into ${cacheDir} (cached for next runs)`,
    );
    writeBoth(kind, rows, p.csv, p.sqlite);
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { kind, rows, csv: p.csv, sqlite: p.sqlite, csvBytes: statSync(p.csv).size };
}

function writeBoth(kind: DataKind, rows: number, csvPath: string, sqlitePath: string): void {
  const csvTmp = csvPath + '.tmp';
  const dbTmp = sqlitePath + '.tmp';
  rmSync(dbTmp, { force: true });
  const fd = openSync(csvTmp, 'w');
  const db = new Database(dbTmp);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(kind.createSql);
    const insert = db.prepare(`INSERT INTO rows VALUES (${kind.columns.map(() => '?').join(',')})`);
    let text = kind.columns.join(',') + '\n';
    const batch = 50_000;
    for (let start = 0; start < rows; start += batch) {
      const end = Math.min(rows, start + batch);
      db.transaction(() => {
        for (let i = start; i < end; i++) {
          const row = kind.makeRow(i);
          insert.run(...row);
          let line = csvValue(row[0]);
          for (let c = 1; c < row.length; c++) line += ',' + csvValue(row[c]!);
          text += line + '\n';
          if (text.length > 1 << 20) {
            writeSync(fd, text);
            text = '';
          }
        }
      })();
    }
    writeSync(fd, text);
  } finally {
    closeSync(fd);
    db.close();
  }
  renameSync(csvTmp, csvPath);
  renameSync(dbTmp, sqlitePath);
}

/** The CSV gzipped at level 6: the file the vendor fake serves for download_decompress. */
export async function ensureGzip(data: BenchData, log: (s: string) => void): Promise<string> {
  const gz = paths(data.rows, data.kind).gz;
  if (!existsSync(gz)) {
    log(`gzipping the CSV for the vendor fake (cached)`);
    await pipeline(
      createReadStream(data.csv),
      createGzip({ level: 6 }),
      createWriteStream(gz + '.tmp'),
    );
    renameSync(gz + '.tmp', gz);
  }
  return gz;
}
