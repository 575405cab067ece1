import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  startVendorFake,
  type VendorFake,
  type VendorKind,
} from '../../fixtures/vendors/vendor-fake.ts';
import { makeRig, type Rig } from './helpers.ts';

let rig: Rig;
let fake: VendorFake;
afterEach(async () => {
  await fake?.stop();
  await rig?.close();
});

async function setup(vendor: VendorKind, opts: Parameters<typeof startVendorFake>[0] = { vendor }) {
  rig = makeRig();
  fake = await startVendorFake({ clock: rig.ctx.clock, ...opts });
  const id = rig.addProvider({
    name: `${vendor} account`,
    type: vendor,
    base_url: fake.url,
    credential: fake.token,
    ...(vendor === 'dynamic' ? { options: { environment_id: fake.environmentId } } : {}),
  });
  return id;
}

function expectFilesMatchVendor(res: Awaited<ReturnType<Rig['run']>>) {
  expect(res.error, res.error?.message).toBeUndefined();
  const exp = [...fake.state.exports.values()].at(-1)!;
  expect(res.files!.map((f) => f.filename).sort()).toEqual(readdirSync(res.exportDir).sort());
  res.files!.forEach((f, i) => {
    const bytes = readFileSync(join(res.exportDir, f.filename));
    expect(gunzipSync(bytes).toString()).toBe(exp.files[i]!.csv);
    expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(f.byteSize).toBe(bytes.length);
    expect(f.rowCount).toBe(exp.files[i]!.rows);
  });
}

describe.each(['datadriver', 'hookbridge', 'dealmachine', 'dynamic'] as const)(
  '%s adapter against its fake',
  (vendor) => {
    it('creates once, polls to completion, and leaves verified files with the vendor rows', async () => {
      const id = await setup(vendor);
      const res = await rig.run(id, { model: 'users', filter: { state: 'TX' } });
      expectFilesMatchVendor(res);
      expect(fake.state.creates).toBe(1);
      expect(fake.state.idempotencyKeys).toEqual([res.exportId]);
      // The vendor's own id was recorded before any file was fetched.
      const remoteId = [...fake.state.exports.keys()][0]!;
      expect(res.recorded.slice(0, 2)).toEqual([
        [null, 'creating'],
        [remoteId, expect.anything()],
      ]);
      // Every status the vendor went through was mirrored, ending with its word for done.
      expect(res.recorded.at(-1)).toEqual([remoteId, expect.stringMatching(/completed/i)]);
      // Bearer to the API, never to the storage host.
      expect(fake.state.storageAuthHeaders).toBe(0);
      const api = fake.state.requests.filter((r) => r.host === 'api');
      expect(api.every((r) => r.authorization === `Bearer ${fake.token}`)).toBe(true);
      // Progress went up to the download share and said where it was.
      expect(res.progress.some((p) => p.remoteStatus !== undefined)).toBe(true);
      expect(res.progress.some((p) => p.stage?.startsWith('downloading file 1 of 1'))).toBe(true);
    });
  },
);

describe('vendor specifics', () => {
  it('DealMachine: params.type picks the people endpoint and is not sent; two files both land', async () => {
    const id = await setup('dealmachine', { vendor: 'dealmachine', scenario: 'two-files' });
    const res = await rig.run(id, { type: 'people', filters: { city: 'Austin' } });
    expectFilesMatchVendor(res);
    expect(res.files).toHaveLength(2);
    const create = fake.state.requests.find((r) => r.method === 'POST')!;
    expect(create.path).toBe('/v1/people/export');
    expect(JSON.parse(create.body)).toEqual({ filters: { city: 'Austin' } });
    expect(res.files!.map((f) => f.filename)).toEqual([
      'people_export_2026-02-17_part1.csv.gz',
      'people_export_2026-02-17_part2.csv.gz',
    ]);
  });

  it('DealMachine: without params.type the properties endpoint is used, and a completed create needs no poll', async () => {
    const id = await setup('dealmachine', { vendor: 'dealmachine', pollsUntilDone: 0 });
    const res = await rig.run(id, { filters: {} });
    expectFilesMatchVendor(res);
    const api = fake.state.requests.filter((r) => r.host === 'api');
    expect(api.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/properties/export']);
  });

  it('Dynamic: the environment id from the provider options is in every path', async () => {
    const id = await setup('dynamic');
    const res = await rig.run(id, { format: 'csv', model: 'visits' });
    expectFilesMatchVendor(res);
    const api = fake.state.requests.filter((r) => r.host === 'api');
    expect(
      api.every((r) => r.path.startsWith(`/api/v0/environments/${fake.environmentId}/exports`)),
    ).toBe(true);
  });

  it('HookBridge: the download endpoint redirects to a presigned URL fetched without the key', async () => {
    const id = await setup('hookbridge');
    const res = await rig.run(id);
    expectFilesMatchVendor(res);
    const dl = fake.state.requests.filter((r) => r.path.endsWith('/download'));
    expect(dl.length).toBeGreaterThan(0);
    expect(dl.every((r) => r.authorization === `Bearer ${fake.token}`)).toBe(true);
    expect(fake.state.requests.filter((r) => r.host === 'storage').length).toBeGreaterThan(0);
    expect(fake.state.storageAuthHeaders).toBe(0);
  });
});
