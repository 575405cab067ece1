import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFilter } from '../../../shared/schemas/exports.ts';
import { ApiError } from '../../../shared/errors.ts';
import { compileQuery } from '../../../electron/engine/datasets/filter-sql.ts';
import { harness, importText, type Harness } from './helpers.ts';

// A small dataset built by a real import, queried through real SQLite.
const CSV = [
  'id,name,state,score,revenue,active,created_at,note',
  '1,Ann,TX,5,10.5,true,2024-01-01T00:00:00Z,100% sure',
  '2,Ben,CA,7,20,false,2024-01-02T00:00:00Z,a_b',
  '3,Cid,TX,9,,true,2024-01-03T00:00:00Z,ab',
  '4,Dee,NY,,5.25,false,2024-01-04T00:00:00Z,Case',
  '5,Eve,tx,12,100,true,2024-01-05T00:00:00Z,case',
  '6,O\'Neil,CA,3,1,false,2024-01-06T00:00:00Z,"\'; DROP TABLE data; --"',
].join('\n');

let h: Harness;
let db: Database.Database;
let ds: ReturnType<Harness['svc']['describe']>;

beforeAll(async () => {
  h = harness();
  await importText(h, 'q', CSV);
  ds = h.svc.describe('q');
  db = new Database(ds.file, { readonly: true });
});
afterAll(async () => {
  db.close();
  await h.cleanup();
});

function ids(filter: ExportFilter | null, columns: string[] | null = ['id']): number[] {
  const q = compileQuery(ds, { columns, filter });
  const rows = db
    .prepare(q.selectSql)
    .raw()
    .all(...q.params) as unknown[][];
  const { n } = db.prepare(q.countSql).get(...q.params) as { n: number };
  expect(n).toBe(rows.length);
  return rows.map((r) => r[0] as number);
}
const where = (column: string, op: string, value: unknown): ExportFilter => ({
  where: [{ column, op: op as never, value: value as never }],
});
function invalid(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('INVALID_REQUEST');
    expect((err as ApiError).message).toMatch(message);
    return;
  }
  throw new Error('expected INVALID_REQUEST');
}

describe('where ops', () => {
  it('eq / neq (text is case-sensitive; comparisons never match null)', () => {
    expect(ids(where('state', 'eq', 'TX'))).toEqual([1, 3]);
    expect(ids(where('state', 'neq', 'TX'))).toEqual([2, 4, 5, 6]);
    expect(ids(where('score', 'neq', 5))).toEqual([2, 3, 5, 6]);
    expect(ids(where('score', 'is_null', undefined))).toEqual([4]);
    expect(ids(where('score', 'is_not_null', undefined))).toEqual([1, 2, 3, 5, 6]);
  });

  it('in / not_in take one value or many', () => {
    expect(ids(where('state', 'in', ['TX', 'CA']))).toEqual([1, 2, 3, 6]);
    expect(ids(where('state', 'in', ['TX']))).toEqual([1, 3]);
    expect(ids(where('state', 'in', 'TX'))).toEqual([1, 3]);
    expect(ids(where('score', 'in', [5, 9]))).toEqual([1, 3]);
    expect(ids(where('score', 'not_in', [5, 9]))).toEqual([2, 5, 6]);
    expect(ids(where('state', 'not_in', 'TX'))).toEqual([2, 4, 5, 6]);
  });

  it('starts_with / ends_with / contains, case-sensitive unless case_insensitive', () => {
    expect(ids(where('name', 'starts_with', 'O'))).toEqual([6]);
    expect(ids(where('state', 'ends_with', 'X'))).toEqual([1, 3]);
    const ci = (op: string, value: string): ExportFilter => ({
      where: [{ column: 'state', op: op as never, value, case_insensitive: true }],
    });
    expect(ids(ci('ends_with', 'X'))).toEqual([1, 3, 5]);
    expect(ids(ci('starts_with', 't'))).toEqual([1, 3, 5]);
    expect(ids(ci('contains', 'x'))).toEqual([1, 3, 5]);
    expect(ids(where('note', 'starts_with', '100%'))).toEqual([1]);
    expect(ids(where('note', 'ends_with', '_b'))).toEqual([2]);
  });

  it('gt / gte / lt / lte compare numbers as numbers', () => {
    expect(ids(where('score', 'gt', 7))).toEqual([3, 5]);
    expect(ids(where('score', 'gte', 7))).toEqual([2, 3, 5]);
    expect(ids(where('score', 'lt', 7))).toEqual([1, 6]);
    expect(ids(where('score', 'lte', 7))).toEqual([1, 2, 6]);
    expect(ids(where('revenue', 'gte', 20))).toEqual([2, 5]);
    expect(ids(where('created_at', 'gte', '2024-01-05'))).toEqual([5, 6]);
  });

  it('contains is a case-sensitive substring where % and _ are plain characters', () => {
    expect(ids(where('note', 'contains', 'ase'))).toEqual([4, 5]);
    expect(ids(where('note', 'contains', 'Case'))).toEqual([4]);
    expect(ids(where('note', 'contains', '%'))).toEqual([1]);
    expect(ids(where('note', 'contains', '_'))).toEqual([2]);
  });

  it('uses values exactly as sent: a wrong JSON type is refused, naming the condition', () => {
    expect(ids(where('active', 'eq', false))).toEqual([2, 4, 6]);
    expect(ids(where('name', 'eq', "O'Neil"))).toEqual([6]);
    invalid(
      () => ids(where('id', 'eq', '5')),
      /^where\[0\] \("id" eq\): value "5" is a string; column "id" \(integer\) takes a number/,
    );
    invalid(() => ids(where('state', 'eq', 5)), /"state" eq.*value 5 is a number/);
    invalid(
      () => ids(where('active', 'eq', 'true')),
      /column "active" \(boolean\) takes true or false/,
    );
    invalid(() => ids(where('state', 'eq', ['TX'])), /single value, not an array/);
    invalid(() => ids(where('state', 'eq', null)), /use the op "is_null"/);
    invalid(() => ids(where('state', 'in', ['TX', null])), /"state" in.*use the op "is_null"/);
    invalid(() => ids(where('state', 'is_null', 'TX')), /takes no value/);
    invalid(() => ids(where('created_at', 'gt', 'yesterday')), /column "created_at"/);
    invalid(() => ids(where('state', 'contains', '')), /non-empty string/);
    invalid(
      () => ids({ where: [{ column: 'id', op: 'eq', value: 1, case_insensitive: true }] }),
      /case_insensitive applies to/,
    );
  });

  it('several clauses are ANDed', () => {
    const filter: ExportFilter = {
      where: [
        { column: 'state', op: 'in', value: ['TX', 'tx'] },
        { column: 'score', op: 'gt', value: 5 },
      ],
    };
    expect(ids(filter)).toEqual([3, 5]);
  });

  it('rejects unknown columns and ops, and values of the wrong shape, naming them', () => {
    invalid(() => ids(where('nope', 'eq', 1)), /unknown column "nope" in filter/);
    invalid(() => ids(where('id', 'like', 1)), /unknown op "like"/);
    invalid(() => ids(where('id', 'in', [])), /non-empty array/);
    invalid(() => ids(where('id', 'in', undefined)), /needs a value/);
    invalid(() => ids(where('id', 'eq', [1, 2])), /single value/);
    invalid(() => ids(where('score', 'contains', '1')), /needs a text column/);
    invalid(() => ids(where('score', 'gt', null)), /use the op "is_null"/);
    invalid(() => ids(null, ['id', 'missing']), /unknown column "missing"/);
    invalid(() => ids(null, ['id', 'id']), /listed twice/);
  });
});

describe('SQL injection', () => {
  it('values are parameters: an injection attempt is just a string', () => {
    expect(ids(where('note', 'eq', "'; DROP TABLE data; --"))).toEqual([6]);
    expect(ids(where('name', 'eq', "x' OR '1'='1"))).toEqual([]);
    expect(ids(where('state', 'in', ["TX') OR 1=1 --"]))).toEqual([]);
    expect(ids(where('note', 'contains', "') > 0 OR 1=1 --"))).toEqual([]);
    expect(ids(null)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('column names must be the dataset own: anything else is refused', () => {
    for (const bad of ['id" FROM data; DROP TABLE data; --', 'id, name', '"id"', '*', 'rowid'])
      invalid(() => ids(where(bad, 'eq', 1)), /unknown column/);
    invalid(() => ids(null, ['id" --']), /unknown column/);
    expect(db.prepare('SELECT count(*) AS n FROM data').get()).toEqual({ n: 6 });
  });

  it('a dataset column named with quotes is quoted safely', async () => {
    await importText(h, 'odd', 'a"b,"x"" OR 1=1 --"\n1,2\n3,4\n');
    const odd = h.svc.describe('odd');
    const q = compileQuery(odd, { columns: ['x" OR 1=1 --'], filter: where('a"b', 'eq', 3) });
    const oddDb = new Database(odd.file, { readonly: true });
    expect(oddDb.prepare(q.selectSql).all(...q.params)).toEqual([{ 'x" OR 1=1 --': 4 }]);
    oddDb.close();
  });
});

describe('time range and columns', () => {
  it('start_time is inclusive and end_time exclusive, on the time column', () => {
    expect(
      ids({ start_time: '2024-01-02T00:00:00Z', end_time: '2024-01-04T00:00:00.000Z' }),
    ).toEqual([2, 3]);
    expect(ids({ start_time: '2024-01-05T00:00:00+00:00' })).toEqual([5, 6]);
    expect(ids({ end_time: '2024-01-02T00:00:00.001Z' })).toEqual([1, 2]);
    invalid(
      () => ids({ start_time: '2024-02-01T00:00:00Z', end_time: '2024-01-01T00:00:00Z' }),
      /after end_time/,
    );
  });

  it('a time range on a dataset without a time column is refused', () => {
    const noTime = { columns: ds.columns, timeColumn: null };
    invalid(
      () => compileQuery(noTime, { filter: { start_time: '2024-01-01T00:00:00Z' } }),
      /no time column/,
    );
  });

  it('keeps the requested column order and reads rows in file order', () => {
    const q = compileQuery(ds, { columns: ['state', 'id'], filter: where('score', 'gt', 4) });
    expect(q.columns).toEqual([
      { name: 'state', type: 'text' },
      { name: 'id', type: 'integer' },
    ]);
    expect(
      db
        .prepare(q.selectSql)
        .raw()
        .all(...q.params),
    ).toEqual([
      ['TX', 1],
      ['CA', 2],
      ['TX', 3],
      ['tx', 5],
    ]);
    expect(compileQuery(ds, {}).columns).toEqual(ds.columns);
    expect(q.selectSql).toMatch(/ORDER BY rowid$/);
  });

  it('a time range uses the index on the time column', () => {
    const q = compileQuery(ds, { filter: { start_time: '2024-01-02T00:00:00Z' } });
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${q.countSql}`).all(...q.params) as {
      detail: string;
    }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX data_by_time/);
  });
});
