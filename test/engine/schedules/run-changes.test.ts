// The changes between two runs' files against a brute-force comparison on random data, with
// duplicate keys, missing keys, quoted fields, gzip and JSONL.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CsvParser } from '../../../electron/engine/datasets/csv-parser.ts';
import { defaultKey, diffRunFiles } from '../../../electron/engine/schedules/run-changes.ts';
import { tempDir } from '../../helpers/context.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Row = { id: string; name: string; state: string };

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function randomRows(rand: () => number, n: number): Row[] {
  const names = ['Ann', 'Bo, Jr.', 'Cy "the" Kid', 'Di\nNew', 'Ed'];
  return Array.from({ length: n }, () => ({
    // Few distinct ids: duplicates are common; some rows have no id at all.
    id: rand() < 0.1 ? '' : String(Math.floor(rand() * n * 0.8)),
    name: names[Math.floor(rand() * names.length)]!,
    state: rand() < 0.5 ? 'TX' : 'CA',
  }));
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const toCsv = (rows: Row[]) =>
  'id,name,state\n' + rows.map((r) => [r.id, r.name, r.state].map(csvField).join(',')).join('\n');

/** The obvious way: pair the n-th row of each key; a keyless row pairs with an identical one. */
function bruteForce(prev: Row[], next: Row[]) {
  const group = (rows: Row[]) => {
    const m = new Map<string, string[]>();
    for (const r of rows) {
      const json = JSON.stringify(r);
      const k = r.id === '' ? `none:${json}` : r.id;
      m.set(k, [...(m.get(k) ?? []), json]);
    }
    return m;
  };
  const p = group(prev);
  const n = group(next);
  let added = 0;
  let removed = 0;
  let changed = 0;
  for (const k of new Set([...p.keys(), ...n.keys()])) {
    const a = p.get(k) ?? [];
    const b = n.get(k) ?? [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length) added++;
      else if (i >= b.length) removed++;
      else if (a[i] !== b[i]) changed++;
    }
  }
  return { added, removed, changed };
}

function mutate(rand: () => number, rows: Row[]): Row[] {
  const out: Row[] = [];
  for (const r of rows) {
    const x = rand();
    if (x < 0.1) continue; // removed
    out.push(x < 0.25 ? { ...r, state: r.state === 'TX' ? 'CA' : 'TX' } : r);
    if (rand() < 0.08)
      out.push({ id: String(Math.floor(rand() * 5000)), name: 'New', state: 'NY' });
  }
  return out;
}

describe('diffRunFiles', () => {
  it('matches a brute-force comparison on random CSV data with duplicate and missing keys', async () => {
    for (const seed of [1, 2, 3, 42]) {
      const dir = tempDir('em-changes-');
      dirs.push(dir);
      const rand = rng(seed);
      const prev = randomRows(rand, 400);
      const next = mutate(rand, prev);
      writeFileSync(join(dir, 'a.1.csv'), toCsv(prev));
      writeFileSync(join(dir, 'a.2.csv.gz'), gzipSync(toCsv(next)));
      const out = join(dir, 'changes.csv');
      const got = await diffRunFiles({
        previous: join(dir, 'a.1.csv'),
        next: join(dir, 'a.2.csv.gz'),
        out,
        tmpDir: join(dir, 'tmp'),
      });
      const want = bruteForce(prev, next);
      expect({ seed, ...got }).toEqual({ seed, ...want, key: 'id' });
      expect(want.added + want.removed + want.changed).toBeGreaterThan(0);

      // The file has one record per change, with the old and new rows.
      const records: string[][] = [];
      const parser = new CsvParser((f) => records.push(f));
      parser.push(readFileSync(out, 'utf8'));
      parser.end();
      expect(records[0]).toEqual(['change', 'key', 'old', 'new']);
      const body = records.slice(1);
      expect(body).toHaveLength(want.added + want.removed + want.changed);
      for (const [change, , oldRow, newRow] of body) {
        if (change === 'added')
          expect([oldRow, typeof JSON.parse(newRow!)]).toEqual(['', 'object']);
        if (change === 'removed') expect(newRow).toBe('');
        if (change === 'changed') expect(JSON.parse(oldRow!).id).toBe(JSON.parse(newRow!).id);
      }
    }
  });

  it('reads JSONL too, and takes a key the user picks', async () => {
    const dir = tempDir('em-changes-');
    dirs.push(dir);
    const a = [
      { email: 'a@x', n: 1 },
      { email: 'b@x', n: 2 },
    ];
    const b = [
      { email: 'b@x', n: 3 },
      { email: 'c@x', n: 1 },
    ];
    const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    writeFileSync(join(dir, 'p.jsonl'), jsonl(a));
    writeFileSync(join(dir, 'n.jsonl'), jsonl(b));
    const common = { previous: join(dir, 'p.jsonl'), next: join(dir, 'n.jsonl'), tmpDir: dir };
    expect(await diffRunFiles({ ...common, out: join(dir, 'c1.csv'), key: 'email' })).toEqual({
      added: 1,
      removed: 1,
      changed: 1,
      key: 'email',
    });
    // Keyed by n instead: 1 is "changed" (a@x → c@x), 2 removed, 3 added.
    expect(await diffRunFiles({ ...common, out: join(dir, 'c2.csv'), key: 'n' })).toEqual({
      added: 1,
      removed: 1,
      changed: 1,
      key: 'n',
    });
    const lines = readFileSync(join(dir, 'c2.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toContain(
      'changed,1,"{""email"":""a@x"",""n"":1}","{""email"":""c@x"",""n"":1}"',
    );
  });

  it('chooses id, then a column ending in _id, then the first column', () => {
    expect(defaultKey(['name', 'ID'])).toBe('ID');
    expect(defaultKey(['name', 'lead_id'])).toBe('lead_id');
    expect(defaultKey(['name', 'state'])).toBe('name');
  });
});
