// The demo dataset `leads`: deterministic, realistic sales leads for trying exports offline.
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import type { Sink } from './sink.ts';
import type { SinkResult } from './table-sink.ts';
import { INTEGER_CODE, REAL_CODE, TEXT_CODE, TIMESTAMP_CODE } from './values.ts';

export const DEMO_DATASET = 'leads';

export const demoColumns: readonly DatasetColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'created_at', type: 'timestamp' },
  { name: 'name', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'company', type: 'text' },
  { name: 'city', type: 'text' },
  { name: 'state', type: 'text' },
  { name: 'revenue', type: 'real' },
  { name: 'score', type: 'integer' },
  { name: 'status', type: 'text' },
];
const types = [
  INTEGER_CODE,
  TIMESTAMP_CODE,
  TEXT_CODE,
  TEXT_CODE,
  TEXT_CODE,
  TEXT_CODE,
  TEXT_CODE,
  REAL_CODE,
  INTEGER_CODE,
  TEXT_CODE,
];

/** created_at spans the two years before this fixed moment, so the rows never depend on today. */
export const DEMO_END = Date.parse('2026-01-01T00:00:00.000Z');
export const DEMO_START = DEMO_END - 730 * 86_400_000;

const FIRST = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Karen', 'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Sofia', 'Mark', 'Ashley', 'Wei', 'Priya', 'Luis', 'Emily', 'Andrew', 'Aisha', 'Kevin', 'Maria', 'Brian', 'Olivia', 'Hiroshi', 'Fatima']; // prettier-ignore
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Nguyen', 'Hill', 'Patel', 'Kim']; // prettier-ignore
const CO_HEAD = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Cyberdyne', 'Wonka', 'Aperture', 'Gringotts', 'Oscorp', 'Pied Piper', 'Massive Dynamic', 'Blue Sun', 'Monarch', 'Dunder Mifflin']; // prettier-ignore
const CO_TAIL = ['Inc', 'LLC', 'Group', 'Labs', 'Partners', 'Holdings', 'Co', 'Systems']; // prettier-ignore
const PLACES = [['New York', 'NY'], ['Los Angeles', 'CA'], ['Chicago', 'IL'], ['Houston', 'TX'], ['Phoenix', 'AZ'], ['Philadelphia', 'PA'], ['San Antonio', 'TX'], ['San Diego', 'CA'], ['Dallas', 'TX'], ['Austin', 'TX'], ['Jacksonville', 'FL'], ['San Jose', 'CA'], ['Columbus', 'OH'], ['Charlotte', 'NC'], ['Indianapolis', 'IN'], ['San Francisco', 'CA'], ['Seattle', 'WA'], ['Denver', 'CO'], ['Nashville', 'TN'], ['Washington', 'DC'], ['Boston', 'MA'], ['Las Vegas', 'NV'], ['Portland', 'OR'], ['Detroit', 'MI'], ['Atlanta', 'GA'], ['Miami', 'FL'], ['Minneapolis', 'MN'], ['Raleigh', 'NC'], ['Salt Lake City', 'UT'], ['Kansas City', 'MO'], ['Omaha', 'NE'], ['Tampa', 'FL'], ['New Orleans', 'LA'], ['Cleveland', 'OH'], ['Pittsburgh', 'PA'], ['Baltimore', 'MD'], ['Milwaukee', 'WI'], ['Albuquerque', 'NM'], ['Boise', 'ID'], ['Richmond', 'VA']] as const; // prettier-ignore
// Weighted so that a funnel looks like one: many new leads, few won.
const STATUSES = ['new', 'new', 'new', 'new', 'new', 'new', 'new', 'contacted', 'contacted', 'contacted', 'contacted', 'contacted', 'qualified', 'qualified', 'qualified', 'qualified', 'won', 'won', 'lost', 'lost']; // prettier-ignore

/** mulberry32: tiny, fast and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(list: readonly T[], r: number): T => list[Math.floor(r * list.length)];
const index = (length: number, r: number): number => Math.floor(r * length);
const lower = (list: readonly string[]) => list.map((s) => s.toLowerCase().replace(/[^a-z]/g, ''));
const FIRST_LC = lower(FIRST);
const LAST_LC = lower(LAST);
const DOMAINS = lower(CO_HEAD).map((d) => `${d}.example.com`);

const BATCH_ROWS = 2000;

/** Writes `rows` demo rows to the sink; row i is the same for the same row count. */
export async function writeDemoLeads(
  sink: Sink,
  rows: number,
  onRows: (done: number) => void,
): Promise<SinkResult> {
  for (const c of demoColumns) sink.addColumn(c.name);
  const rnd = prng(0x1ead5);
  const span = DEMO_END - DEMO_START;
  let values: unknown[] = [];
  for (let i = 0; i < rows; i++) {
    const f = index(FIRST.length, rnd());
    const l = index(LAST.length, rnd());
    const co = index(CO_HEAD.length, rnd());
    const company = `${CO_HEAD[co]} ${pick(CO_TAIL, rnd())}`;
    const [city, state] = pick(PLACES, rnd());
    // Ids follow time, as a CRM's would; each row lands in its own slice of the two years.
    const at = DEMO_START + Math.floor(((i + rnd()) * span) / rows);
    const u = rnd();
    const revenue = Math.round(1000 * Math.exp(u * u * 7.5)) / 100;
    values.push(
      i + 1,
      new Date(at).toISOString(),
      `${FIRST[f]} ${LAST[l]}`,
      `${FIRST_LC[f]}.${LAST_LC[l]}${i + 1}@${DOMAINS[co]}`,
      company,
      city,
      state,
      revenue,
      Math.floor(rnd() * 101),
      pick(STATUSES, rnd()),
    );
    if ((i + 1) % BATCH_ROWS === 0 || i + 1 === rows) {
      sink.write({ types, rows: values.length / types.length, values });
      values = [];
      onRows(i + 1);
      await sink.drain();
    }
  }
  return sink.finish(types, 'created_at', []);
}
