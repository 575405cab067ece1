// Suggesting a condition's value and explaining a filter that matches nothing, as plain data.
import { describe, expect, it } from 'vitest';
import type { WhereOp } from '../../shared/schemas/exports.ts';
import {
  askedValues,
  chosenValues,
  conditionWords,
  nearbyPrefix,
  pickValue,
  searchText,
  suggestsValues,
  suspectConditions,
  zeroMatchWords,
} from '../../renderer/src/value-suggestions.ts';

const cond = (op: WhereOp, value: string, column = 'state') => ({ key: 1, column, op, value });

describe('value suggestions', () => {
  it('suggests for ops whose value is one of the column values, not for ranges or null tests', () => {
    expect(
      ['eq', 'neq', 'in', 'not_in', 'starts_with'].every((o) => suggestsValues(o as WhereOp)),
    ).toBe(true);
    for (const op of ['gt', 'lte', 'contains', 'ends_with', 'is_null', 'is_not_null'] as const)
      expect(suggestsValues(op)).toBe(false);
  });

  it('searches the whole field, or only the part of a list being typed', () => {
    expect(searchText('eq', '  Tex ')).toBe('Tex');
    expect(searchText('in', 'TX, C')).toBe('C');
    expect(searchText('not_in', 'TX,')).toBe('');
  });

  it('a pick replaces a one-value field, and adds to a list without repeating a value', () => {
    expect(pickValue('eq', 'te', 'TX')).toBe('TX');
    expect(pickValue('in', 'c', 'CA')).toBe('CA');
    expect(pickValue('in', 'TX, c', 'CA')).toBe('TX, CA');
    expect(pickValue('not_in', 'TX,, CA, t', 'TX')).toBe('CA, TX');
    expect([...chosenValues('in', 'TX, CA, n')]).toEqual(['TX', 'CA']);
    expect(chosenValues('eq', 'TX').size).toBe(0);
  });

  it('names the values a condition asks for; exclusions ask for none', () => {
    expect(askedValues(cond('in', 'Texas, Ohio ,'))).toEqual(['Texas', 'Ohio']);
    expect(askedValues(cond('neq', 'TX'))).toEqual([]);
    expect(askedValues(cond('gt', '5'))).toEqual([]);
    expect(
      suspectConditions([cond('neq', 'TX'), cond('eq', 'Texas'), cond('eq', '', 'city')]),
    ).toEqual([cond('eq', 'Texas')]);
  });

  it('words the zero-match warning with the column values nearby', () => {
    expect(conditionWords(cond('eq', 'Texas'))).toBe('state is "Texas"');
    expect(zeroMatchWords(cond('eq', 'Texas'), ['TX', 'TN'])).toBe(
      'No rows match: state is "Texas" — the column holds values like TX, TN.',
    );
    expect(zeroMatchWords(cond('in', 'Texas'), [])).toBe('No rows match: state is one of "Texas".');
    expect(zeroMatchWords(null, [])).toBe('No rows match the time range and conditions together.');
    expect(nearbyPrefix(' Texas')).toBe('T');
  });
});
