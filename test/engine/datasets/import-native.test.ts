// The import's SQLite extension (native/import-rows.c) stores exactly what the JavaScript binding
// stores: the same storage class and value for every field of every kind, widened columns
// rewritten the same way, the same errors (SQLITE_FULL stays SQLITE_FULL). Skipped, with a
// notice, where native/build.mjs could not build it (no C compiler); CI builds it first.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SEP, TableSink, type SinkBatch } from '../../../electron/engine/datasets/table-sink.ts';
import {
  BOOLEAN_CODE,
  INTEGER_CODE,
  REAL_CODE,
  TEXT_CODE,
  TIMESTAMP_CODE,
  UNKNOWN_CODE,
} from '../../../electron/engine/datasets/values.ts';
import { nativeFile } from '../../../electron/engine/native-build.ts';
import { tempDir } from '../../helpers/context.ts';

const found = nativeFile('import-rows.so');
const missing = 'missing' in found ? found.missing : null;
if (missing !== null) console.warn(`import extension tests skipped: it is ${missing}`);

const dir = tempDir('em-import-native-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function sink(native: boolean, names: string[]): { sink: TableSink; file: string } {
  const file = join(dir, `t${++files}.sqlite`);
  const s = new TableSink(file, { native });
  expect(s.insertRows !== null).toBe(native);
  for (const n of names) s.addColumn(n);
  return { sink: s, file };
}

/** Every field as SQLite holds it: storage class and an exact rendering. */
function dump(file: string, names: readonly string[]): string[][] {
  const db = new Database(file, { readonly: true });
  const cols = names.map((n) => `typeof("${n}") || ':' || quote("${n}")`);
  const rows = db
    .prepare(`SELECT ${cols.join(', ')} FROM data ORDER BY rowid`)
    .raw(true)
    .all() as string[][];
  db.close();
  return rows;
}

const batch = (types: number[], rows: string[][]): SinkBatch => ({
  types,
  rows: rows.length,
  payload: rows.flat().join(SEP),
});

describe.skipIf(missing !== null)('the import extension', () => {
  it('stores every kind of field as the JavaScript binding does, widening included', () => {
    const names = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
    const ints = ['0', '-12', '7', '9007199254740991', '-9007199254740991', '', '42'];
    const reals = [
      '1.5',
      '.5',
      '5.',
      '1e400',
      '-1e400',
      '-0',
      '1e-400',
      '3.14159265358979323846',
      '',
      '2.5e-3',
      '123456789012345678901234567890',
      '0.1',
    ];
    const bools = ['true', 'false', '', 'maybe', 'TRUE'];
    const texts = ['plain', '', 'a,b', 'say "hi"', 'ünïcödé', '日本語', 'emoji 😀', ' spaced '];
    const times = ['2024-05-01T10:00:00.000Z', '', '2024-05-01'];
    const rows = (from: number, count: number) =>
      Array.from({ length: count }, (_, k) => {
        const i = from + k;
        return [
          ints[i % ints.length]!,
          reals[i % reals.length]!,
          bools[i % bools.length]!,
          texts[i % texts.length]!,
          times[i % times.length]!,
          i % 4 === 0 ? '' : `u${i}`,
          bools[i % bools.length]!, // stays boolean
          ints[i % ints.length]!, // stays integer
        ];
      });
    const first = [
      INTEGER_CODE,
      REAL_CODE,
      BOOLEAN_CODE,
      TEXT_CODE,
      TIMESTAMP_CODE,
      UNKNOWN_CODE,
      BOOLEAN_CODE,
      INTEGER_CODE,
    ];
    // Then the integer and boolean columns widen to text: earlier values are rewritten at finish.
    const later = [
      TEXT_CODE,
      REAL_CODE,
      TEXT_CODE,
      TEXT_CODE,
      TIMESTAMP_CODE,
      TEXT_CODE,
      BOOLEAN_CODE,
      INTEGER_CODE,
    ];
    const out: Record<string, { rows: string[][]; result: unknown }> = {};
    for (const native of [true, false]) {
      const s = sink(native, names);
      s.sink.write(batch(first, rows(0, 300)));
      s.sink.write(batch(first, rows(300, 1)));
      s.sink.write(
        batch(later, [...rows(301, 50), ['x', '1', 'yes', 'y', '', 'z', 'false', '-3']]),
      );
      const result = s.sink.finish(later, null);
      s.sink.close();
      out[String(native)] = { rows: dump(s.file, names), result };
    }
    expect(out.true!.rows).toHaveLength(352);
    expect(out.true!.rows).toEqual(out.false!.rows);
    expect(out.true!.result).toEqual(out.false!.result);
    // Spot checks of what both stored.
    const byRow = out.true!.rows;
    expect(byRow[0]!.slice(0, 3)).toEqual(["text:'0'", 'real:1.5', "text:'true'"]);
    expect(byRow[3]![1]).toBe('real:9.0e+999'); // 1e400: Infinity, as Number() reads it
    expect(byRow[0]!.slice(6)).toEqual(['real:1.0', 'integer:0']); // true as 1.0, as bound in JS
    expect(byRow[3]!.slice(6)).toEqual(['null:NULL', 'integer:9007199254740991']); // 'maybe'
  });

  it('keeps columns added mid-import and batches of one row', () => {
    const out: Record<string, string[][]> = {};
    for (const native of [true, false]) {
      const s = sink(native, ['a']);
      s.sink.write(batch([INTEGER_CODE], [['1'], ['2']]));
      s.sink.addColumn('b');
      s.sink.write(batch([INTEGER_CODE, REAL_CODE], [['3', '0.25']]));
      s.sink.finish([INTEGER_CODE, REAL_CODE], null);
      s.sink.close();
      out[String(native)] = dump(s.file, ['a', 'b']);
    }
    expect(out.true).toEqual(out.false);
    expect(out.true).toEqual([
      ['integer:1', 'null:NULL'],
      ['integer:2', 'null:NULL'],
      ['integer:3', 'real:0.25'],
    ]);
  });

  it('fails as the JavaScript binding fails: a short batch, and a full disk as SQLITE_FULL', () => {
    const errors: Record<string, { message: string; code: unknown }[]> = {};
    for (const native of [true, false]) {
      const seen: { message: string; code: unknown }[] = [];
      const s = sink(native, ['a', 'b']);
      try {
        s.sink.write({
          types: [TEXT_CODE, TEXT_CODE],
          rows: 2,
          payload: ['1', '2', '3'].join(SEP),
        });
      } catch (err) {
        seen.push({ message: (err as Error).message, code: undefined });
      }
      // A database that may not grow: the disk is full as far as SQLite can tell.
      (s.sink as unknown as { db: Database.Database }).db.pragma('max_page_count = 2');
      try {
        const wide = Array.from({ length: 5_000 }, (_, i) => [`${i}`, 'x'.repeat(100)]);
        s.sink.write(batch([TEXT_CODE, TEXT_CODE], wide));
      } catch (err) {
        seen.push({
          message: (err as Error).message,
          code: (err as { code?: unknown }).code,
        });
      }
      s.sink.close();
      errors[String(native)] = seen;
    }
    expect(errors.true).toEqual([
      { message: 'batch holds 3 values, expected 4', code: undefined },
      { message: 'database or disk is full', code: 'SQLITE_FULL' },
    ]);
    expect(errors.true).toEqual(errors.false);
  });
});
