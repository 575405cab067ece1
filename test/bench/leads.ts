// The second bench data set, shaped like real exports: a leads table with mixed types, company
// names that need CSV quoting (commas, some quotes), many distinct values (230 MB at 2M rows).
import type { DataKind } from './data.ts';

const FIRST =
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Zoë José Renée Søren Aiko Chen Priya Oluwaseun Mateo Ingrid'.split(
    ' ',
  );
const LAST =
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Müller Østergaard OBrien Kowalski Tanaka Okafor Haddad Novak'.split(
    ' ',
  );
const STEMS =
  'Acme Globex Initech Umbrella Stark Wayne Wonka Tyrell Cyberdyne Soylent Hooli Vandelay Pied Piper Dunder Mifflin Monarch Aperture Oscorp Gringotts Nakatomi Prestige Sterling Cooper Bluth Massive Dynamic Virtucon Ollivander Zorg Blue Sun Spacely Cogswell'.split(
    ' ',
  );
const SUFFIX = ['Inc.', 'LLC', 'Ltd.', 'Group', 'Holdings', 'Partners', 'Co.', 'GmbH'];
const CITY_STATE: [string, string][] = [
  ['Austin', 'TX'],
  ['Dallas', 'TX'],
  ['Houston', 'TX'],
  ['Denver', 'CO'],
  ['Seattle', 'WA'],
  ['Portland', 'OR'],
  ['Boston', 'MA'],
  ['Chicago', 'IL'],
  ['Miami', 'FL'],
  ['Atlanta', 'GA'],
  ['Phoenix', 'AZ'],
  ['Raleigh', 'NC'],
  ['San Francisco', 'CA'],
  ['Los Angeles', 'CA'],
  ['San Diego', 'CA'],
  ['New York', 'NY'],
  ['Buffalo', 'NY'],
  ['Detroit', 'MI'],
  ['Omaha', 'NE'],
  ['Salt Lake City', 'UT'],
  ['Coeur d’Alene', 'ID'],
  ['St. Louis', 'MO'],
];
const STATUSES = ['new', 'contacted', 'qualified', 'proposal', 'won', 'lost', 'new', 'contacted'];
const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'icloud.com'];

function mix(row: number, field: number): number {
  let h = Math.imul(row ^ 0x27d4eb2f, 0x85ebca6b) ^ Math.imul(field + 7, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}
const pick = <T>(xs: readonly T[], r: number): T => xs[r % xs.length]!;
const BASE_MS = Date.UTC(2023, 0, 1);

function company(i: number): string {
  const a = pick(STEMS, mix(i, 10));
  const n = mix(i, 11) % 8;
  // About 1 in 4 has a comma ("Acme, Inc."), a few a quote, the rest plain: realistic quoting.
  if (n < 2) return `${a}, ${pick(SUFFIX, mix(i, 12))}`;
  if (n === 2) return `${a} & ${pick(STEMS, mix(i, 13))}`;
  if (n === 3 && mix(i, 14) % 16 === 0) return `"${a}" ${pick(SUFFIX, mix(i, 12))}`;
  return `${a} ${pick(SUFFIX, mix(i, 12))}`;
}

export const leadsKind: DataKind = {
  tag: 'leads',
  columns: [
    'id',
    'created_at',
    'name',
    'email',
    'company',
    'city',
    'state',
    'revenue',
    'score',
    'status',
  ],
  createSql: `CREATE TABLE rows (id INTEGER PRIMARY KEY, created_at TEXT, name TEXT, email TEXT,
    company TEXT, city TEXT, state TEXT, revenue INTEGER, score REAL, status TEXT)`,
  makeRow(i) {
    const first = pick(FIRST, mix(i, 1));
    const last = pick(LAST, mix(i, 2));
    const [city, state] = pick(CITY_STATE, mix(i, 3));
    return [
      i + 1,
      new Date(BASE_MS + i * 9_000 + (mix(i, 4) % 9000)).toISOString(),
      `${first} ${last}`,
      `${first.toLowerCase()}.${last.toLowerCase()}${mix(i, 5) % 10_000}@${pick(DOMAINS, mix(i, 6))}`,
      company(i),
      city,
      state,
      mix(i, 7) % 50_000_000,
      (mix(i, 8) % 1_000_000) / 10_000,
      pick(STATUSES, mix(i, 9)),
    ];
  },
};
