import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import {
  csvEncoder,
  csvRowWriter,
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

describe('CSV rows written straight into a buffer', () => {
  const awkward: unknown[][] = [
    ...rows,
    [8, '', Number.MIN_VALUE, 1, null],
    [9, '東京東京東京', -1.7976931348623157e308, 0, null],
    [10, '🚀🚀"🚀,', 9007199254740993n, null, null],
    [11, Buffer.from([0, 255, 10, 44, 34]), 0.1 + 0.2, 1, '2026-03-01T00:00:00.000Z'],
    [null, null, null, null, null],
  ];

  it('writes the same bytes as the string encoder, and never more than bound() says', () => {
    const enc = csvEncoder(columns);
    const writer = csvRowWriter(columns);
    const buf = Buffer.alloc(4096, 0x58);
    for (const r of awkward) {
      const end = writer.write(r, buf, 7);
      const expected = Buffer.from(enc.row(r));
      expect(buf.subarray(7, end).equals(expected)).toBe(true);
      expect(end - 7).toBeLessThanOrEqual(writer.bound(r));
      // Nothing before the offset was touched.
      expect(buf.subarray(0, 7).toString()).toBe('XXXXXXX');
    }
  });

  it('prints numbers and short and long text exactly as the string encoder does', () => {
    const cols: EncoderColumn[] = [
      { name: 'n', type: 'real' },
      { name: 't', type: 'text' },
    ];
    const enc = csvEncoder(cols);
    const writer = csvRowWriter(cols);
    const numbers = [
      0,
      -0,
      7,
      -7,
      10,
      99,
      100,
      999_999_999_999_999,
      -999_999_999_999_999,
      1e15,
      -1e15,
      1e21,
      2 ** 53,
      -(2 ** 53),
      0.1,
      -2.5e-7,
      123456.789,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      NaN,
      Infinity,
      -Infinity,
    ];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const magnitude = 10 ** Math.floor(rand() * 17);
      numbers.push(Math.floor((rand() - 0.5) * magnitude), (rand() - 0.5) * magnitude);
    }
    const texts = [
      'a'.repeat(32),
      'a'.repeat(33),
      'a'.repeat(31) + ',',
      'a'.repeat(40) + '"',
      'tab\there',
      'é',
      'x\u0000y',
      '\u007f',
      '\n',
      'Hooli, Ltd.',
      'plain',
    ];
    const buf = Buffer.alloc(1024);
    numbers.forEach((n, i) => {
      const row = [n, texts[i % texts.length]!];
      const end = writer.write(row, buf, 0);
      expect(buf.subarray(0, end).toString('utf8')).toBe(enc.row(row));
    });
  });

  it('bounds a row of the worst text: all quotes, all three-byte characters', () => {
    const one = [{ name: 't', type: 'text' as const }];
    const writer = csvRowWriter(one);
    const enc = csvEncoder(one);
    for (const v of ['"'.repeat(1000), '€'.repeat(1000), '\r\n'.repeat(500), '']) {
      // A buffer of exactly the bound: a short bound would cut the row (Buffer#write stops).
      const buf = Buffer.alloc(writer.bound([v]));
      const end = writer.write([v], buf, 0);
      expect(buf.subarray(0, end).equals(Buffer.from(enc.row([v])))).toBe(true);
    }
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
