// The renderer's pure logic: words for sizes and times, routes, request bodies rebuilt from an
// export, and typed condition values.
import { describe, expect, it } from 'vitest';
import { splitPath } from '../../renderer/src/desktop.ts';
import { bytes, count, duration, every, relative } from '../../renderer/src/format.ts';
import { nameFromFile, requestOf, typedValue } from '../../renderer/src/form-logic.ts';
import { parseRoute } from '../../renderer/src/router.ts';
import type { Export } from '../../shared/schemas/exports.ts';

describe('words for numbers and times', () => {
  it('sizes, counts, durations, intervals', () => {
    expect(bytes(null)).toBe('—');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KB');
    expect(bytes(70 * 1024 * 1024)).toBe('70 MB');
    expect(count(2_000_000)).toBe('2,000,000');
    expect(duration(42_000)).toBe('42 s');
    expect(duration(125_000)).toBe('2 min 5 s');
    expect(duration(3 * 3_600_000 + 60_000)).toBe('3 h 1 min');
    expect(every(1)).toBe('every second');
    expect(every(900)).toBe('every 15 minutes');
    expect(every(86_400)).toBe('every day');
    expect(every(90)).toBe('every 90 seconds');
  });

  it('relative times, past and future, up to years', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(relative('2026-11-22T11:59:58Z', now)).toBe('just now');
    expect(relative('2026-11-22T11:00:00Z', now)).toBe('1 hour ago');
    expect(relative('2026-11-29T12:00:00Z', now)).toBe('in 7 days');
    expect(relative('2026-06-22T12:00:00Z', now)).toBe('5 months ago');
    expect(relative('2023-11-14T12:00:00Z', now)).toBe('3 years ago');
    expect(relative(null, now)).toBe('—');
  });
});

describe('routes', () => {
  it('reads screen, id, action and query from the hash; unknown screens go to exports', () => {
    expect(parseRoute('#/exports/0193-abc')).toMatchObject({ screen: 'exports', sub: '0193-abc' });
    const r = parseRoute('#/schedules/new?from=0193');
    expect(r).toMatchObject({ screen: 'schedules', sub: 'new', action: null });
    expect(r.query.get('from')).toBe('0193');
    expect(parseRoute('#/schedules/abc/edit')).toMatchObject({ sub: 'abc', action: 'edit' });
    expect(parseRoute('#/nowhere/x')).toMatchObject({ screen: 'exports', sub: null });
    expect(parseRoute('')).toMatchObject({ screen: 'exports', sub: null });
  });
});

describe('forms', () => {
  it('file names become dataset names the API accepts', () => {
    expect(nameFromFile('/home/me/Orders 2026.csv')).toBe('Orders_2026');
    expect(nameFromFile('C:\\data\\leads.csv.gz')).toBe('leads');
    expect(nameFromFile('/x/2026-report.jsonl')).toBe('report');
    expect(nameFromFile('/x/123.csv')).toBe('dataset');
    expect(splitPath('/home/me/a.csv')).toEqual({ dir: '/home/me', name: 'a.csv' });
    expect(splitPath('/a.csv')).toEqual({ dir: '/', name: 'a.csv' });
  });

  it('condition values take the column type; "is one of" takes a comma list', () => {
    const c = (op: 'eq' | 'in', value: string) => ({ key: 1, column: 'x', op, value });
    expect(typedValue(c('eq', ' 42 '), 'integer')).toBe(42);
    expect(typedValue(c('eq', '4.5'), 'real')).toBe(4.5);
    expect(typedValue(c('eq', 'true'), 'boolean')).toBe(true);
    expect(typedValue(c('eq', 'TX'), 'text')).toBe('TX');
    expect(typedValue(c('in', 'TX, CA'), 'text')).toEqual(['TX', 'CA']);
    // Not a number stays text, so the API names the problem instead of the UI guessing.
    expect(typedValue(c('eq', 'abc'), 'integer')).toBe('abc');
  });

  it('"repeat this" rebuilds the request that made an export', () => {
    const base = {
      name: 'texas',
      format: 'csv',
      compression: 'gzip',
      compression_level: 6,
      columns: ['id'],
      filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
      params: null,
    };
    const local = { ...base, source: { type: 'dataset', dataset: 'leads' } } as unknown as Export;
    expect(requestOf(local)).toEqual({
      dataset: 'leads',
      format: 'csv',
      compression: 'gzip',
      compression_level: 6,
      columns: ['id'],
      filter: base.filter,
      name: 'texas',
    });
    const remote = {
      ...base,
      params: { type: 'people' },
      source: { type: 'provider', provider_id: 'p1', provider_type: 'dealmachine' },
    } as unknown as Export;
    expect(requestOf(remote)).toEqual({
      provider: 'p1',
      params: { type: 'people' },
      name: 'texas',
    });
  });
});
