// A connection test always answers: a provider limited to one request every 1,000 seconds makes
// the second test wait its turn, and the caller gets "no answer within N s" instead of a hang.
import { afterEach, expect, it } from 'vitest';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { startVendorFake, type VendorFake } from '../fixtures/vendors/vendor-fake.ts';

let s: TestServer;
let fake: VendorFake;
afterEach(async () => {
  await s?.close();
  await fake?.stop();
});

it('answers within its deadline however low the provider rate limit', async () => {
  s = await makeServer({ providersTestSeams: { testDeadlineMs: 300 } });
  fake = await startVendorFake({ vendor: 'datadriver' });
  const created = await s.call({
    method: 'POST',
    url: '/v1/providers',
    payload: {
      name: 'slow',
      type: 'datadriver',
      base_url: fake.url,
      credential: fake.token,
      requests_per_second: 0.001,
    },
  });
  const id = created.json().data.id as string;
  const first = await s.call({ method: 'POST', url: `/v1/providers/${id}/test` });
  expect(first.json().data.ok).toBe(true);

  // The second request must wait 1,000 s for its token.
  const started = Date.now();
  const res = await s.call({ method: 'POST', url: `/v1/providers/${id}/test` });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(res.statusCode).toBe(200);
  expect(res.json().data).toMatchObject({ ok: false, status: null });
  expect(res.json().data.message).toMatch(/No answer within 0.3 s.*0.001 requests per second/);
  // Nothing more reached the vendor than the first test.
  await new Promise((r) => setTimeout(r, 50));
  expect(fake.state.requests.filter((r) => r.host === 'api')).toHaveLength(1);
});
