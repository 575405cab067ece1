import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import type { WhereClause } from '../../../shared/schemas/exports.ts';
import { compileQuery } from '../../../electron/engine/datasets/filter-sql.ts';

// The engine's filters against a plain SQLite query written independently: literals instead of
// parameters, LIKE/GLOB instead of instr/substr, over random rows (nulls included) and random
// conditions. Any difference in the matching rows is a filter that does not mean what it says.

const columns: DatasetColumn[] = [
  { name: 't', type: 'text' },
  { name: 'i', type: 'integer' },
  { name: 'r', type: 'real' },
  { name: 'b', type: 'boolean' },
  { name: 'ts', type: 'timestamp' },
];
const shape = { columns, timeColumn: 'ts' };

// Few letters, both cases, and every character LIKE and GLOB treat specially.
const text = fc.string({
  unit: fc.constantFrom('a', 'A', 'b', 'B', '%', '_', '*', '?', '[', ']', '\\', 'é', 'É'),
  minLength: 0,
  maxLength: 4,
});
const needle = fc.string({
  unit: fc.constantFrom('a', 'A', 'b', '%', '_', '*', '?', '[', '\\', 'é'),
  minLength: 1,
  maxLength: 3,
});
const integer = fc.integer({ min: -3, max: 3 });
const real = fc.constantFrom(-1.5, 0, 0.25, 1, 2.5);
const stamps = ['2024-01-01T00:00:00.000Z', '2024-06-30T12:00:00.000Z', '2025-01-01T00:00:00.000Z'];
const stamp = fc.constantFrom(...stamps);

const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 4, nil: null });
const row = fc.record({
  t: nullable(text),
  i: nullable(integer),
  r: nullable(real),
  b: nullable(fc.boolean()),
  ts: nullable(stamp),
});

const valueOf: Record<string, fc.Arbitrary<string | number | boolean>> = {
  t: text,
  i: integer,
  r: real,
  b: fc.boolean(),
  ts: stamp,
};
const scalarOps = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;

const condition: fc.Arbitrary<WhereClause> = fc.oneof(
  fc.record({
    column: fc.constantFrom('t', 'i', 'r', 'b', 'ts'),
    op: fc.constantFrom('is_null', 'is_not_null'),
  }) as fc.Arbitrary<WhereClause>,
  fc.constantFrom('t', 'i', 'r', 'b', 'ts').chain((column) =>
    fc.oneof(
      fc.record({
        column: fc.constant(column),
        op: fc.constantFrom(...scalarOps),
        value: valueOf[column],
      }),
      fc.record({
        column: fc.constant(column),
        op: fc.constantFrom('in', 'not_in'),
        value: fc.oneof(valueOf[column], fc.array(valueOf[column], { minLength: 1, maxLength: 3 })),
      }),
    ),
  ) as fc.Arbitrary<WhereClause>,
  fc.record({
    column: fc.constant('t'),
    op: fc.constantFrom('contains', 'starts_with', 'ends_with'),
    value: needle,
    case_insensitive: fc.option(fc.boolean(), { nil: undefined }),
  }) as fc.Arbitrary<WhereClause>,
);

const literal = (v: unknown): string =>
  typeof v === 'string'
    ? `'${v.replaceAll("'", "''")}'`
    : typeof v === 'boolean'
      ? v
        ? '1'
        : '0'
      : String(v);
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
const globEscape = (s: string) => s.replace(/[*?[]/g, (ch) => `[${ch}]`);
const sqlOps = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** The same condition as a reviewer would write it by hand in SQLite. */
function referenceSql(c: WhereClause): string {
  const col = `"${c.column}"`;
  switch (c.op) {
    case 'is_null':
      return `${col} IS NULL`;
    case 'is_not_null':
      return `${col} IS NOT NULL`;
    case 'in':
    case 'not_in': {
      const list = (Array.isArray(c.value) ? c.value : [c.value]).map(literal).join(', ');
      return `${col} ${c.op === 'in' ? 'IN' : 'NOT IN'} (${list})`;
    }
    case 'contains':
    case 'starts_with':
    case 'ends_with': {
      const v = c.value as string;
      const before = c.op === 'contains' || c.op === 'ends_with';
      const after = c.op === 'contains' || c.op === 'starts_with';
      if (c.case_insensitive) {
        const pattern = `${before ? '%' : ''}${likeEscape(v)}${after ? '%' : ''}`;
        return `${col} LIKE ${literal(pattern)} ESCAPE '\\'`;
      }
      const pattern = `${before ? '*' : ''}${globEscape(v)}${after ? '*' : ''}`;
      return `${col} GLOB ${literal(pattern)}`;
    }
    default:
      return `${col} ${sqlOps[c.op as keyof typeof sqlOps]} ${literal(c.value)}`;
  }
}

const db = new Database(':memory:');
afterAll(() => db.close());

describe('filters against plain SQLite', () => {
  it('match exactly the rows a hand-written SQLite query matches, nulls included', () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 0, maxLength: 25 }),
        fc.array(condition, { minLength: 1, maxLength: 3 }),
        (rows, where) => {
          db.exec('DROP TABLE IF EXISTS data');
          db.exec('CREATE TABLE data (t TEXT, i INTEGER, r REAL, b INTEGER, ts TEXT)');
          const insert = db.prepare('INSERT INTO data VALUES (?, ?, ?, ?, ?)');
          for (const x of rows) insert.run(x.t, x.i, x.r, x.b === null ? null : x.b ? 1 : 0, x.ts);

          const q = compileQuery(shape, { columns: ['t'], filter: { where } });
          const ours = (
            db
              .prepare(q.selectSql.replace('SELECT "t"', 'SELECT rowid'))
              .raw()
              .all(...q.params) as number[][]
          ).map((r) => r[0]);
          const theirs = (
            db
              .prepare(
                `SELECT rowid FROM data WHERE ${where.map(referenceSql).join(' AND ')} ORDER BY rowid`,
              )
              .raw()
              .all() as number[][]
          ).map((r) => r[0]);
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 400, seed: 20261205 },
    );
  });

  it('the reference is not trivially agreeing: some random filters match some rows but not all', () => {
    db.exec('DROP TABLE IF EXISTS data');
    db.exec('CREATE TABLE data (t TEXT, i INTEGER, r REAL, b INTEGER, ts TEXT)');
    db.prepare('INSERT INTO data VALUES (?, ?, ?, ?, ?)').run('a%B', 1, 0.25, 1, stamps[0]);
    db.prepare('INSERT INTO data VALUES (?, ?, ?, ?, ?)').run(null, null, null, null, null);
    db.prepare('INSERT INTO data VALUES (?, ?, ?, ?, ?)').run('ab', 2, 1, 0, stamps[1]);
    const count = (c: WhereClause) => {
      const q = compileQuery(shape, { filter: { where: [c] } });
      return (db.prepare(q.countSql).get(...q.params) as { n: number }).n;
    };
    expect(count({ column: 't', op: 'contains', value: '%' })).toBe(1);
    expect(count({ column: 't', op: 'ends_with', value: 'b', case_insensitive: true })).toBe(2);
    expect(count({ column: 't', op: 'ends_with', value: 'b' })).toBe(1);
    expect(count({ column: 'i', op: 'not_in', value: 1 })).toBe(1);
    expect(count({ column: 'b', op: 'eq', value: false })).toBe(1);
    expect(count({ column: 'ts', op: 'is_null' })).toBe(1);
  });
});
