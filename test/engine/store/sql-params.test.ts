// The PostgreSQL store takes statements as the repos write them for SQLite: parameters become
// $1 … $n, quoted text and comments stay as they are, and a call's values land in that order.
import { describe, expect, it } from 'vitest';
import { bindValues, toPgParams } from '../../../electron/engine/store/postgres/sql-params.ts';

describe('SQLite parameters as PostgreSQL parameters', () => {
  it('numbers ? in order and gives each @name, :name or $name one slot, however often used', () => {
    const t = toPgParams(
      'UPDATE s SET a = @now, b = ? WHERE c > :now AND d = $lim AND e = ? AND f <= @now',
    );
    expect(t.text).toBe(
      'UPDATE s SET a = $1, b = $2 WHERE c > $1 AND d = $3 AND e = $4 AND f <= $1',
    );
    expect(bindValues(t, [7, 'x', { now: 5, lim: 9 }])).toEqual([5, 7, 9, 'x']);
  });

  it('leaves ?, @ and : inside quotes and comments, and :: casts, alone', () => {
    const t = toPgParams(
      `SELECT '?' AS q, 'it''s @x' AS s, "we?ird" FROM t -- what? @y\nWHERE a = ? /* :z ? */ AND b = 'x'::text`,
    );
    expect(t.text).toBe(
      `SELECT '?' AS q, 'it''s @x' AS s, "we?ird" FROM t -- what? @y\nWHERE a = $1 /* :z ? */ AND b = 'x'::text`,
    );
    expect(t.slots).toEqual([0]);
  });

  it('takes values as better-sqlite3 does: spread, one array, undefined as null', () => {
    const t = toPgParams('INSERT INTO t VALUES (?, ?, ?)');
    expect(bindValues(t, [1, 'a', undefined])).toEqual([1, 'a', null]);
    expect(bindValues(t, [[1n, 'a', null]])).toEqual(['1', 'a', null]);
  });

  it('refuses a wrong count, a missing name and a boolean, naming the problem', () => {
    expect(() => bindValues(toPgParams('SELECT ?'), [])).toThrow(/takes 1 positional.*given 0/);
    expect(() => bindValues(toPgParams('SELECT @a'), [{ b: 1 }])).toThrow(
      /Missing named parameter "a"/,
    );
    expect(() => bindValues(toPgParams('SELECT ?'), [true])).toThrow(/stored as 0 or 1/);
  });
});
