// An export's request in words, as the detail page shows it.
import { describe, expect, it } from 'vitest';
import { conditionWords, requestWords } from '../../renderer/src/request-words.ts';

describe('requestWords', () => {
  it('a dataset export: dataset, conditions in words, columns, format', () => {
    expect(
      requestWords({
        source: { type: 'dataset', dataset: 'leads' },
        format: 'csv',
        compression: 'gzip',
        columns: null,
        filter: { where: [{ column: 'state', op: 'in', value: ['TX', 'CA'] }] },
        params: null,
      }).join(' · '),
    ).toBe('leads · state is TX or CA · all columns · CSV, gzip');
  });

  it('several conditions, a column list, JSON Lines without compression', () => {
    expect(
      requestWords({
        source: { type: 'dataset', dataset: 'leads' },
        format: 'jsonl',
        compression: 'none',
        columns: ['id', 'email'],
        filter: {
          where: [
            { column: 'score', op: 'gte', value: 10 },
            { column: 'email', op: 'contains', value: '@acme', case_insensitive: true },
            { column: 'city', op: 'is_null' },
          ],
        },
        params: null,
      }).join(' · '),
    ).toBe(
      'leads · score ≥ 10 and email contains “@acme” (any case) and city is empty · columns id, email · JSON Lines, none',
    );
  });

  it('a provider export names the provider, never its id', () => {
    const words = requestWords(
      {
        source: {
          type: 'provider',
          provider_id: '01a2-id',
          provider_type: 'datadriver',
          remote_id: null,
          remote_status: null,
        },
        format: 'csv',
        compression: 'gzip',
        columns: null,
        filter: null,
        params: { filter: { state: 'TX' } },
      },
      { '01a2-id': 'DataDriver account' },
    );
    expect(words).toEqual(['DataDriver account', 'parameters {"filter":{"state":"TX"}}']);
    expect(words.join(' ')).not.toContain('01a2-id');
  });

  it('"is none of" lists its values', () => {
    expect(conditionWords({ column: 'state', op: 'not_in', value: ['TX', 'CA'] })).toBe(
      'state is none of TX, CA',
    );
  });
});
