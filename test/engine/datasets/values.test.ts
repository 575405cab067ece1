import { describe, expect, it } from 'vitest';
import {
  classifyText,
  normalizeTimestamp,
  parseInteger,
  parseReal,
  widen,
} from '../../../electron/engine/datasets/values.ts';

describe('normalizeTimestamp', () => {
  it.each([
    ['2024-01-05T10:20:30.123Z', '2024-01-05T10:20:30.123Z'],
    ['2024-01-05T10:20:30Z', '2024-01-05T10:20:30.000Z'],
    ['2024-01-05T10:20:30', '2024-01-05T10:20:30.000Z'],
    ['2024-01-05 10:20:30', '2024-01-05T10:20:30.000Z'],
    ['2024-01-05T10:20', '2024-01-05T10:20:00.000Z'],
    ['2024-01-05', '2024-01-05T00:00:00.000Z'],
    ['2024-01-05T10:20:30.123456+02:00', '2024-01-05T08:20:30.123Z'],
    ['2024-01-05T01:00:00-0530', '2024-01-05T06:30:00.000Z'],
    ['2024-01-01T00:30:00+01', '2023-12-31T23:30:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
  ])('%s -> %s (toISOString form)', (input, expected) => {
    expect(normalizeTimestamp(input)).toBe(expected);
    expect(new Date(expected).toISOString()).toBe(expected);
  });

  it.each([
    'hello',
    '2024-02-30',
    '2023-02-29',
    '1900-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-01-05T24:00:00Z',
    '2024-01-05T10:60:00Z',
    '2024-04-31T00:00:00.000Z',
    '2024-01-05T10:20:30+25:00',
    '20240105',
    '9999-12-31T23:00:00-05:00',
    '2024-1-5',
    '',
  ])('rejects %j', (input) => {
    expect(normalizeTimestamp(input)).toBeUndefined();
  });
});

describe('numbers', () => {
  it('reads integers that print back the same', () => {
    expect(parseInteger('42')).toBe(42);
    expect(parseInteger('-5')).toBe(-5);
    expect(parseInteger('0')).toBe(0);
    expect(parseInteger('9007199254740991')).toBe(9007199254740991);
    for (const s of ['007', '-0', '+5', '1.0', '9007199254740993', '1e3', ' 5', ''])
      expect(parseInteger(s), s).toBeUndefined();
  });

  it('reads decimal and exponent reals, not words', () => {
    expect(parseReal('1.5')).toBe(1.5);
    expect(parseReal('.5')).toBe(0.5);
    expect(parseReal('-2.5E-3')).toBe(-0.0025);
    expect(parseReal('10')).toBe(10);
    for (const s of ['NaN', 'Infinity', '1.2.3', '1,5', '', '0x10', '1e999'])
      expect(parseReal(s), s).toBeUndefined();
  });
});

describe('classify and widen', () => {
  it('classifies a lone value', () => {
    expect(classifyText('12')).toBe('integer');
    expect(classifyText('1.25')).toBe('real');
    expect(classifyText('true')).toBe('boolean');
    expect(classifyText('TRUE')).toBe('text');
    expect(classifyText('2024-01-01T00:00:00Z')).toBe('timestamp');
    expect(classifyText('00123')).toBe('text');
  });

  it('widens integer -> real -> text and boolean/timestamp -> text only', () => {
    expect(widen('unknown', 'boolean')).toBe('boolean');
    expect(widen('integer', 'real')).toBe('real');
    expect(widen('real', 'integer')).toBe('real');
    expect(widen('real', 'text')).toBe('text');
    expect(widen('boolean', 'integer')).toBe('text');
    expect(widen('timestamp', 'integer')).toBe('text');
    expect(widen('integer', 'timestamp')).toBe('text');
  });
});
