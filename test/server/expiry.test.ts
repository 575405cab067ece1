// Expiry through the API: a vendor export recovers by itself and says so in its timeline (API and
// events); a local export past retention answers 410 and comes back with one recreate call.
import { afterEach, describe, expect, it } from 'vitest';
import type { Export } from '../../shared/schemas/exports.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { createExport, waitFinal } from '../helpers/exports.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { startVendorFake, type VendorFake } from '../fixtures/vendors/vendor-fake.ts';

let s: TestServer | undefined;
let fake: VendorFake | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
  await s?.close();
  s = undefined;
});

describe('a vendor export whose link dies and whose export expires', () => {
  it('completes by itself; its timeline says why, in the API and in export.updated events', async () => {
    s = await makeServer({
      exportsTestSeams: { progressMs: 0 },
      providersTestSeams: {
        http: { minDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 20 },
        runner: { pollMinMs: 5, pollMaxMs: 20, recreateBackoffMs: 5 },
      },
    });
    fake = await startVendorFake({ vendor: 'datadriver', scenario: 'expires-after-ready' });
    const provider = (
      await s.call({
        method: 'POST',
        url: '/v1/providers',
        payload: {
          name: 'DataDriver',
          type: 'datadriver',
          base_url: fake.url,
          credential: fake.token,
          requests_per_second: 500,
        },
      })
    ).json().data.id as string;
    const seen: Export['timeline'][] = [];
    s.engine.ctx.events.on('export.updated', (e) => seen.push(e.timeline));
    const created = await createExport(s, { provider, name: 'leads from DataDriver' });
    const exp = await waitFinal(s, created.json().data.id);
    expect(exp.status, JSON.stringify(exp.error)).toBe('completed');
    const [first, second] = [...fake.state.exports.keys()];
    expect(exp.source).toMatchObject({ remote_id: second });
    expect(exp.timeline.map((t) => t.kind)).toEqual(['vendor_expired', 'recreated']);
    expect(exp.timeline[0]!.text).toMatch(
      new RegExp(
        `^DataDriver expired its export ${first} \\(noticed at \\d\\d:\\d\\d UTC; it said EXPORT_EXPIRED “This export expired on 2026-05-16T12:14:00Z\\. Please re-create\\.”\\)\\. Re-creating it in 5 ms \\(re-creation 1 of 3\\)\\.$`,
      ),
    );
    expect(exp.timeline[1]!.text).toMatch(
      new RegExp(
        `^The vendor expired this export; re-created as ${second} at \\d\\d:\\d\\d UTC\\.$`,
      ),
    );
    for (const t of exp.timeline) expect(Date.parse(t.at)).not.toBeNaN();
    // Each line reached the event stream as it was written, before the export completed.
    expect(seen.some((t) => t.length === 1 && t[0]!.kind === 'vendor_expired')).toBe(true);
    expect(seen.at(-1)!.map((t) => t.kind)).toEqual(['vendor_expired', 'recreated']);
  });
});

describe('a local export past its retention', () => {
  it('answers 410 EXPORT_EXPIRED, and POST /recreate makes a new one linked both ways', async () => {
    const clock = new FakeClock(Date.now());
    s = await makeServer({
      clock,
      retentionSeconds: 3600,
      demoRows: 200,
      exportsTestSeams: { progressMs: 0 },
    });
    const exp = await waitFinal(
      s,
      (await createExport(s, { dataset: 'leads', columns: ['id'], name: 'ids' })).json().data.id,
    );
    clock.advance(3601_000);
    const dl = await s.call({ url: `/v1/exports/${exp.id}/download` });
    expect(dl.statusCode).toBe(410);
    expect(dl.json().error.code).toBe('EXPORT_EXPIRED');

    const re = await s.call({ method: 'POST', url: `/v1/exports/${exp.id}/recreate` });
    expect(re.statusCode).toBe(202);
    const copy = await waitFinal(s, re.json().data.id);
    expect(copy).toMatchObject({ status: 'completed', recreated_from: exp.id, name: 'ids' });
    const old = (await s.call({ url: `/v1/exports/${exp.id}` })).json().data as Export;
    expect(old.status).toBe('expired');
    expect(old.recreated_as).toBe(copy.id);
    expect(old.timeline).toEqual([
      { at: expect.any(String), kind: 'recreated_as', text: expect.stringContaining(copy.id) },
    ]);
  });
});
