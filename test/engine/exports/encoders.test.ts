import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import {
  csvEncoder,
  jsonlEncoder,
  type EncoderColumn,
} from '../../../electron/engine/exports/encoders.ts';

const columns: EncoderColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'note', type: 'text' },
  { name: 'price', type: 'real' },
  { name: 'active', type: 'boolean' },
  { name: 'at', type: 'timestamp' },
];
const rows: unknown[][] = [
  [1, 'plain', 1.5, 1, '2026-01-01T00:00:00.000Z'],
  [2, 'comma, inside', -0.25, 0, null],
  [3, 'quote " and ""double""', 0, null, '2026-02-01T00:00:00.000Z'],
  [4, 'new\nline and\r\ncrlf', 1e21, 1, null],
  [5, 'unicode: Zoë, 東京, 🚀', 3.14159, 0, null],
  [6, '', null, null, null],
  [7, null, 42, 1, null],
];

describe('CSV encoder (RFC 4180)', () => {
  it('round-trips quotes, commas, newlines and unicode through a real CSV parser', () => {
    const enc = csvEncoder(columns);
    const text = enc.header + rows.map((r) => enc.row(r)).join('');
    const parsed = parse(text, { columns: true, relax_quotes: false }) as Record<string, string>[];
    expect(parsed).toHaveLength(rows.length);
    expect(Object.keys(parsed[0]!)).toEqual(columns.map((c) => c.name));
    rows.forEach((r, i) => {
      expect(parsed[i]!.note).toBe(r[1] ?? '');
      expect(parsed[i]!.id).toBe(String(r[0]));
    });
    expect(parsed[0]!.active).toBe('true');
    expect(parsed[1]!.active).toBe('false');
    expect(parsed[2]!.active).toBe('');
    expect(text.split('\r\n')[0]).toBe('id,note,price,active,at');
  });

  it('quotes header names that need it', () => {
    expect(csvEncoder([{ name: 'a,b', type: 'text' }]).header).toBe('"a,b"\r\n');
  });
});

describe('JSON Lines encoder', () => {
  it('writes one JSON object per line, numbers as numbers, null as null, booleans as booleans', () => {
    const enc = jsonlEncoder(columns);
    const lines = rows.map((r) => enc.row(r));
    for (const line of lines) expect(line.endsWith('\n')).toBe(true);
    const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs[0]).toEqual({
      id: 1,
      note: 'plain',
      price: 1.5,
      active: true,
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(objs[3]!.note).toBe('new\nline and\r\ncrlf');
    expect(objs[4]!.note).toBe('unicode: Zoë, 東京, 🚀');
    expect(objs[6]).toEqual({ id: 7, note: null, price: 42, active: true, at: null });
  });
});
