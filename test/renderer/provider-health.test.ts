// A provider's health from its tests: the last result, and when it last worked.
import { describe, expect, it } from 'vitest';
import { afterTest } from '../../renderer/src/provider-health.ts';

const ok = { ok: true, status: 200, message: 'Connected.', latency_ms: 40 };
const refused = {
  ok: false,
  status: 401,
  message: 'The vendor refused the credential.',
  latency_ms: 55,
};

describe('afterTest', () => {
  it('remembers the last success through later failures', () => {
    const first = afterTest(undefined, refused, '2026-12-01T10:00:00Z');
    expect(first).toMatchObject({ ok: false, lastOkAt: null, status: 401 });
    const second = afterTest(first, ok, '2026-12-01T11:00:00Z');
    expect(second).toMatchObject({ ok: true, lastOkAt: '2026-12-01T11:00:00Z' });
    const third = afterTest(second, refused, '2026-12-01T12:00:00Z');
    expect(third).toEqual({
      testedAt: '2026-12-01T12:00:00Z',
      ok: false,
      message: 'The vendor refused the credential.',
      status: 401,
      latencyMs: 55,
      lastOkAt: '2026-12-01T11:00:00Z',
    });
  });
});
