import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { createExport, fetchLink, waitFinal } from '../helpers/exports.ts';
import { tempDir } from '../helpers/context.ts';
import {
  startVendorFake,
  type Scenario,
  type VendorFake,
  type VendorKind,
} from '../fixtures/vendors/vendor-fake.ts';

const CREDENTIAL = 'vendor-key-that-must-never-leak-42';
/** Vendor waits short enough for a test. */
const fastVendors = {
  http: { minDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 20, headersTimeoutMs: 2_000 },
  runner: { pollMinMs: 5, pollMaxMs: 20, recreateBackoffMs: 5 },
};

let s: TestServer;
let fake: VendorFake | undefined;
let dest: string;

beforeEach(async () => {
  s = await makeServer({
    exportsTestSeams: { progressMs: 0 },
    providersTestSeams: fastVendors,
  });
  dest = tempDir('em-dest-');
});
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
  await s.close();
  rmSync(dest, { recursive: true, force: true });
});

async function addProvider(vendor: VendorKind, scenario: Scenario = 'normal') {
  fake = await startVendorFake({ vendor, scenario, token: CREDENTIAL, pollsUntilDone: 2 });
  const res = await s.call({
    method: 'POST',
    url: '/v1/providers',
    payload: {
      name: `My ${vendor}`,
      type: vendor,
      base_url: fake.url,
      credential: CREDENTIAL,
      requests_per_second: 500,
      ...(vendor === 'dynamic' ? { options: { environment_id: fake.environmentId } } : {}),
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.body).not.toContain(CREDENTIAL);
  return res.json().data.id as string;
}

async function runExport(provider: string, params: Record<string, unknown> = {}) {
  const res = await createExport(s, {
    provider,
    params,
    name: 'vendor leads',
    destination: { dir: dest, decompress: true },
  });
  expect(res.statusCode, res.body).toBe(202);
  return waitFinal(s, res.json().data.id);
}

/** Nothing of a failed export stays on disk: no file, no .part, no destination copy. */
function expectNothingLeft(id: string) {
  const dir = join(s.dataDir, 'files', id);
  expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  expect(readdirSync(dest)).toEqual([]);
}

describe('a new user, through the API only', () => {
  it.each(['datadriver', 'hookbridge', 'dealmachine', 'dynamic'] as const)(
    '%s: add the provider, export, and find the verified, decompressed vendor rows in the destination',
    async (vendor) => {
      const provider = await addProvider(vendor);
      const exp = await runExport(provider, vendor === 'dealmachine' ? { type: 'people' } : {});
      expect(exp.status, JSON.stringify(exp.error)).toBe('completed');
      const remote = [...fake!.state.exports.values()][0]!;
      expect(exp.source).toMatchObject({
        type: 'provider',
        provider_id: provider,
        provider_type: vendor,
        remote_id: remote.id,
      });
      expect(exp.row_count).toBe(40);
      // Saved decompressed, with exactly the vendor's rows.
      const saved = exp.destination!.saved_paths;
      expect(saved).toHaveLength(1);
      expect(saved[0]!.startsWith(dest)).toBe(true);
      expect(readFileSync(saved[0]!, 'utf8')).toBe(remote.files[0]!.csv);
      // Served like a local export: the presigned link gives the stored, verified bytes.
      const file = await fetchLink(s, exp.download_url!);
      expect(file.statusCode).toBe(200);
      expect(createHash('sha256').update(file.rawPayload).digest('hex')).toBe(exp.files[0]!.sha256);
      expect(exp.files[0]!.sha256).toBe(remote.files[0]!.sha256);
      expect(fake!.state.creates).toBe(1);
      expect(fake!.state.storageAuthHeaders).toBe(0);
    },
  );

  it('DealMachine with two files: both are stored, verified and saved', async () => {
    const provider = await addProvider('dealmachine', 'two-files');
    const exp = await runExport(provider);
    expect(exp.status).toBe('completed');
    expect(exp.files).toHaveLength(2);
    expect(exp.row_count).toBe(80);
    const remote = [...fake!.state.exports.values()][0]!;
    expect(exp.destination!.saved_paths.map((p) => readFileSync(p, 'utf8'))).toEqual(
      remote.files.map((f) => f.csv),
    );
  });

  it('an export expired at the vendor is re-created, then completes', async () => {
    const provider = await addProvider('datadriver', 'export-expired');
    const exp = await runExport(provider);
    expect(exp.status).toBe('completed');
    expect(fake!.state.creates).toBe(2);
    expect(exp.source).toMatchObject({ remote_id: [...fake!.state.exports.keys()][1] });
  });

  it.each([
    ['failed', 'PROVIDER_EXPORT_FAILED', { vendor_code: 'QUERY_TOO_BROAD' }],
    ['always-expired', 'PROVIDER_EXPORT_EXPIRED', { vendor_code: 'EXPORT_EXPIRED' }],
    ['wrong-size', 'CHECKSUM_MISMATCH', {}],
    ['oversize', 'DOWNLOAD_FAILED', {}],
    ['unauthorized', 'PROVIDER_UNAUTHORIZED', { http_status: 401 }],
  ] as const)(
    '%s ends failed with %s, the vendor words kept, nothing left on disk',
    async (scenario, code, details) => {
      const provider = await addProvider('datadriver', scenario);
      const exp = await runExport(provider);
      expect(exp.status).toBe('failed');
      expect(exp.error).toMatchObject({ code, details });
      expectNothingLeft(exp.id);
      const dl = await s.call({ url: `/v1/exports/${exp.id}/download` });
      expect(dl.json().error.code).toBe('EXPORT_FAILED');
    },
  );
});

describe('/v1/providers', () => {
  it('lists, reads, updates, tests and deletes; the credential never comes back', async () => {
    const id = await addProvider('hookbridge');
    const all = await s.call({ url: '/v1/providers' });
    expect(all.json().data.map((p: { id: string }) => p.id)).toEqual([id]);
    const one = await s.call({ url: `/v1/providers/${id}` });
    expect(one.json().data).toMatchObject({ type: 'hookbridge', has_credential: true });
    const patched = await s.call({
      method: 'PATCH',
      url: `/v1/providers/${id}`,
      payload: { name: 'Renamed', max_concurrent_exports: 1 },
    });
    expect(patched.json().data).toMatchObject({ name: 'Renamed', max_concurrent_exports: 1 });
    const test = await s.call({ method: 'POST', url: `/v1/providers/${id}/test` });
    expect(test.statusCode).toBe(200);
    expect(test.json().data).toMatchObject({ ok: true });
    for (const r of [all, one, patched, test]) expect(r.body).not.toContain(CREDENTIAL);
    expect((await s.call({ method: 'DELETE', url: `/v1/providers/${id}` })).statusCode).toBe(204);
    expect((await s.call({ url: `/v1/providers/${id}` })).statusCode).toBe(404);
  });

  it('refuses bad input with 400 naming the problem', async () => {
    const bad = async (payload: Record<string, unknown>) => {
      const r = await s.call({ method: 'POST', url: '/v1/providers', payload });
      expect(r.statusCode, r.body).toBe(400);
      return r.json().error.message as string;
    };
    expect(
      await bad({ name: 'd', type: 'dynamic', base_url: 'https://app.dynamicauth.com' }),
    ).toMatch(/environment_id/);
    expect(
      await bad({ name: 'g', type: 'generic', base_url: 'https://x.test', options: {} }),
    ).toMatch(/options.config/);
    expect(await bad({ name: 'x', type: 'nope', base_url: 'https://x.test' })).toBeTruthy();
    expect(await bad({ name: 'x', type: 'datadriver', base_url: 'file:///etc' })).toMatch(/http/);
    expect((await s.call({ url: '/v1/providers/not-an-id' })).statusCode).toBe(400);
    // A credential a header cannot carry is refused up front, on create and on update.
    const base = { name: 'dd', type: 'datadriver', base_url: 'https://x.test' };
    expect(await bad({ ...base, credential: 'key-📐' })).toMatch(/printable ASCII/);
    expect(await bad({ ...base, credential: 'key\nX-Evil: 1' })).toMatch(/printable ASCII/);
    const ok = await s.call({ method: 'POST', url: '/v1/providers', payload: base });
    const patched = await s.call({
      method: 'PATCH',
      url: `/v1/providers/${ok.json().data.id}`,
      payload: { credential: 'clé' },
    });
    expect(patched.statusCode).toBe(400);
    const unknown = await createExport(s, { provider: '0193aaaa-0000-7000-8000-000000000000' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/Unknown provider/);
  });
});

describe('provider exports and local exports do not share run slots', () => {
  it('a local export completes while vendor exports wait on a slow vendor', async () => {
    await s.close();
    s = await makeServer({
      demoRows: 500,
      concurrency: 2,
      exportsTestSeams: { progressMs: 0 },
      providersTestSeams: fastVendors,
    });
    // A vendor whose exports stay "processing" for as long as this test runs.
    fake = await startVendorFake({
      vendor: 'datadriver',
      token: CREDENTIAL,
      pollsUntilDone: 1_000_000,
    });
    const provider = await s.call({
      method: 'POST',
      url: '/v1/providers',
      payload: {
        name: 'Slow DataDriver',
        type: 'datadriver',
        base_url: fake.url,
        credential: CREDENTIAL,
        requests_per_second: 500,
        max_concurrent_exports: 4,
      },
    });
    expect(provider.statusCode, provider.body).toBe(201);
    const vendorIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await createExport(s, { provider: provider.json().data.id, name: `slow ${i}` });
      expect(r.statusCode, r.body).toBe(202);
      vendorIds.push(r.json().data.id);
    }
    // All three are at the vendor (more than the two local slots), polling.
    await vi.waitFor(
      async () => {
        const states = await Promise.all(
          vendorIds.map(async (id) => (await s.call({ url: `/v1/exports/${id}` })).json().data),
        );
        if (!states.every((e) => e.status === 'processing' && e.source.remote_id))
          throw new Error(`vendor exports not started: ${JSON.stringify(states)}`);
      },
      { timeout: 10_000, interval: 20 },
    );
    const local = await createExport(s, { dataset: 'leads', format: 'csv' });
    expect(local.statusCode, local.body).toBe(202);
    const done = await waitFinal(s, local.json().data.id, 10_000);
    expect(done.status).toBe('completed');
    expect(done.row_count).toBe(500);
    for (const id of vendorIds)
      expect((await s.call({ url: `/v1/exports/${id}` })).json().data.status).toBe('processing');
  });
});
