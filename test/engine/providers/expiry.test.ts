// Expiry recovery against fakes of each seed vendor and `generic`: dead links are refreshed through
// the vendor API, expired vendor exports re-created, and only the API's own refusal is a credential verdict.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  startVendorFake,
  type FakeOptions,
  type VendorFake,
  type VendorKind,
} from '../../fixtures/vendors/vendor-fake.ts';
import { genericFakeConfig } from '../../fixtures/vendors/generic-view.ts';
import { makeRig, type Rig, type RunResult } from './helpers.ts';

let rig: Rig;
let fake: VendorFake;
afterEach(async () => {
  await fake?.stop();
  await rig?.close();
});

const vendors = ['datadriver', 'hookbridge', 'dealmachine', 'dynamic', 'generic'] as const;

async function setup(
  vendor: VendorKind,
  opts: Omit<FakeOptions, 'vendor'> = {},
  rigSettings: Parameters<typeof makeRig>[0] = {},
) {
  rig = makeRig(rigSettings);
  fake = await startVendorFake({ clock: rig.ctx.clock, rows: 3000, ...opts, vendor });
  return rig.addProvider({
    name: vendor === 'generic' ? 'Acme Jobs' : 'Vendor',
    type: vendor,
    base_url: fake.url,
    credential: fake.token,
    ...(vendor === 'dynamic' ? { options: { environment_id: fake.environmentId } } : {}),
    ...(vendor === 'generic' ? { options: { config: genericFakeConfig } } : {}),
  });
}

/** Completed with the right bytes of the newest vendor export, and its decompressed rows. */
function expectCompleted(res: RunResult) {
  expect(res.error, res.error?.message).toBeUndefined();
  const exp = [...fake.state.exports.values()].at(-1)!;
  expect(res.files).toHaveLength(exp.files.length);
  res.files!.forEach((f, i) => {
    const bytes = readFileSync(join(res.exportDir, f.filename));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(exp.files[i]!.sha256);
    expect(gunzipSync(bytes).toString()).toBe(exp.files[i]!.csv);
  });
  expect(readdirSync(res.exportDir).sort()).toEqual(res.files!.map((f) => f.filename).sort());
}

const storage = () => fake.state.requests.filter((r) => r.host === 'storage');
const apiReads = () =>
  fake.state.requests.filter(
    (r) => r.host === 'api' && r.method === 'GET' && !/download/.test(r.path),
  );
const kinds = (res: RunResult) => res.notes.map(([k]) => k);

describe.each(vendors)('%s', (vendor) => {
  it.each([false, true])(
    'a link refused with S3 403 AccessDenied long before its stated expiry (storage on the API host: %s) is refreshed through the API; completed',
    async (onApiHost) => {
      const id = await setup(vendor, { scenario: 'link-dies-early', storageOnApiHost: onApiHost });
      if (onApiHost) expect(fake.storageUrl).toBe(fake.url);
      const res = await rig.run(id);
      expectCompleted(res);
      expect(fake.state.creates).toBe(1);
      expect(kinds(res)).toEqual(['link_refreshed']);
      // Dynamic states no link expiry; the others do, days away.
      const stated = vendor === 'dynamic' ? '' : ', before its stated expiry at \\d\\d:\\d\\d UTC';
      expect(res.notes[0]![1]).toMatch(
        new RegExp(
          `^Link for file 1 stopped working at \\d\\d:\\d\\d UTC${stated} \\(HTTP 403: AccessDenied “Request has expired”\\); fetched a new one from .+\\.$`,
        ),
      );
    },
  );

  it('a link that dies in the middle of the file: the fresh link resumes after the kept bytes', async () => {
    const id = await setup(vendor, { scenario: 'link-expires-mid-download' });
    const res = await rig.run(id);
    expectCompleted(res);
    const s = storage();
    const last = s.at(-1)!;
    expect(last.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(last.range!)![0])).toBeGreaterThan(1000);
    // HookBridge's file URL is its download endpoint, which redirects to a new link on every call.
    expect(kinds(res)).toEqual(vendor === 'hookbridge' ? [] : ['link_refreshed']);
    expect(fake.state.creates).toBe(1);
  });

  it('the link is refused, then the API says the export expired: re-created, linked, completed', async () => {
    const id = await setup(vendor, { scenario: 'expires-after-ready' });
    const res = await rig.run(id);
    expectCompleted(res);
    expect(fake.state.creates).toBe(2);
    const [first, second] = [...fake.state.exports.keys()];
    const rows = rig.providers.repo.remotes(res.exportId);
    expect(rows.map((r) => [r.remote_id, r.recreated_from, r.recreated_as])).toEqual([
      [first, null, second],
      [second, first, null],
    ]);
    expect(kinds(res)).toEqual(['vendor_expired', 'recreated']);
    expect(res.notes[1]![1]).toBe(
      `The vendor expired this export; re-created as ${second} at ${res.notes[1]![1].slice(-10, -1)}.`,
    );
    expect(res.error).toBeUndefined();
  });

  it('the vendor reports the export expired before any download: re-created and completed', async () => {
    const id = await setup(vendor, { scenario: 'export-expired' });
    const res = await rig.run(id);
    expectCompleted(res);
    expect(fake.state.creates).toBe(2);
    expect(kinds(res)).toEqual(['vendor_expired', 'recreated']);
  });

  it('a genuinely revoked key (link refused, then the API answers 401) is the only PROVIDER_UNAUTHORIZED', async () => {
    const id = await setup(vendor, { scenario: 'key-revoked' });
    const res = await rig.run(id);
    expect(res.error?.code, res.error?.message).toBe('PROVIDER_UNAUTHORIZED');
    expect(res.error!.details).toMatchObject({ http_status: 401 });
    // It came from the API read after the refused link, and nothing was re-created.
    const last = fake.state.requests.at(-1)!;
    expect(last.host).toBe('api');
    expect(fake.state.creates).toBe(1);
    expect(readdirSync(res.exportDir)).toEqual([]);
  });

  it('links that die at once every time: a clear error after two fresh links, no loop, not a credential verdict', async () => {
    const id = await setup(vendor, { scenario: 'dead-links' });
    const res = await rig.run(id);
    expect(res.error?.code, res.error?.message).toBe('DOWNLOAD_FAILED');
    expect(res.error!.message).toMatch(/refused at once, twice in a row \(HTTP 403 AccessDenied\)/);
    expect(res.error!.details).toMatchObject({
      http_status: 403,
      vendor_code: 'AccessDenied',
      vendor_message: 'Request has expired',
    });
    expect(storage()).toHaveLength(3);
    expect(fake.state.creates).toBe(1);
  });
});

describe.each(['dealmachine', 'generic'] as const)('%s, several files', (vendor) => {
  it("one file's link dies: only that file is fetched again, the other is kept", async () => {
    const id = await setup(vendor, { scenario: 'link-dies-early', files: 3, dyingFile: 1 });
    const res = await rig.run(id);
    expectCompleted(res);
    const perFile = [0, 1, 2].map((i) => storage().filter((r) => r.path.includes(`/${i}/`)).length);
    expect(perFile).toEqual([1, 2, 1]);
    expect(res.notes.map(([, t]) => t.slice(0, 16))).toEqual(['Link for file 2 ']);
  });

  it('links about to expire are refreshed before the next file, never used dead', async () => {
    const id = await setup(vendor, { files: 2, urlTtlMs: 5 * 60_000 });
    let moved = false;
    const res = await rig.run(
      id,
      {},
      {
        onProgress: (p) => {
          if (!moved && p.stage?.startsWith('verifying file 1')) {
            moved = true;
            rig.ctx.clock.advance(4.5 * 60_000); // 30 s left: less than the refresh margin
          }
        },
      },
    );
    expectCompleted(res);
    expect(kinds(res)).toEqual(['link_refreshed_early']);
    expect(res.notes[0]![1]).toMatch(/^Link was due to expire at \d\d:\d\d UTC; fetched a new one/);
    expect(storage()).toHaveLength(2); // no request was ever refused
  });
});

describe.each([400, 401, 404] as const)('a file URL answering %i', (status) => {
  it.each(['datadriver', 'hookbridge'] as const)(
    '%s: is a dead link, refreshed through the API, never a credential verdict',
    async (vendor) => {
      const id = await setup(vendor, {
        scenario: 'link-dies-early',
        deadLinkStatus: status,
        storageOnApiHost: true,
      });
      const res = await rig.run(id);
      expectCompleted(res);
      expect(res.notes[0]![1]).toContain(`(HTTP ${status}`);
    },
  );
});

describe('bounded re-creation', () => {
  it('an export that keeps expiring is re-created 3 times with growing waits, then fails with the vendor’s words', async () => {
    const id = await setup('datadriver', { scenario: 'always-expired' });
    const res = await rig.run(id);
    expect(res.error?.code).toBe('PROVIDER_EXPORT_EXPIRED');
    expect(fake.state.creates).toBe(4);
    expect(res.error!.message).toMatch(/re-created 3 time\(s\) and expired each time/);
    expect(res.error!.details).toMatchObject({
      vendor_code: 'EXPORT_EXPIRED',
      vendor_message: 'This export expired on 2026-05-16T12:14:00Z. Please re-create.',
      recreated: 3,
    });
    const posts = fake.state.requests.filter((r) => r.method === 'POST').map((r) => r.at);
    const gaps = posts.slice(1).map((at, i) => at - posts[i]!);
    gaps.forEach((g, i) => expect(g).toBeGreaterThanOrEqual([5_000, 20_000, 80_000][i]!));
    expect(kinds(res)).toEqual([
      'vendor_expired',
      'recreated',
      'vendor_expired',
      'recreated',
      'vendor_expired',
      'recreated',
      'gave_up',
    ]);
  });

  it.each(vendors)(
    '%s: a crash between "the vendor said expired" and the re-creation leaves no duplicate at the vendor',
    async (vendor) => {
      // Crash 1: as the re-create request reaches the vendor (the answer is lost).
      const crash = new AbortController();
      const id = await setup(vendor, {
        scenario: 'export-expired',
        onRequest: (r) => {
          if (r.method === 'POST' && r.idempotencyKey?.endsWith(':2')) crash.abort();
        },
      });
      const first = await rig.run(id, {}, { signal: crash.signal });
      expect(first.files).toBeUndefined();
      expect(fake.state.createRequests).toBe(2);
      // The app starts again: the same export resumes from the ledger.
      const again = await rig.run(id, {}, { exportId: first.exportId });
      expectCompleted(again);
      expect(fake.state.creates).toBe(2);
      const keys = fake.state.requests
        .filter((r) => r.method === 'POST')
        .map((r) => r.idempotencyKey);
      expect(keys).toEqual([first.exportId, `${first.exportId}:2`, `${first.exportId}:2`]);
    },
  );

  it('a crash right after "the vendor said expired", before the intent is written: one re-creation only', async () => {
    const crash = new AbortController();
    const id = await setup('hookbridge', { scenario: 'export-expired' });
    const first = await rig.run(
      id,
      {},
      { signal: crash.signal, onNote: (kind) => kind === 'vendor_expired' && crash.abort() },
    );
    expect(first.files).toBeUndefined();
    expect(fake.state.creates).toBe(1);
    const again = await rig.run(id, {}, { exportId: first.exportId });
    expectCompleted(again);
    expect(fake.state.creates).toBe(2);
  });
});

describe('the credential verdict', () => {
  it('a 401 on the first API request fails fast with PROVIDER_UNAUTHORIZED and the vendor’s words', async () => {
    const id = await setup('hookbridge', { scenario: 'unauthorized' });
    const res = await rig.run(id);
    expect(res.error?.code).toBe('PROVIDER_UNAUTHORIZED');
    expect(res.error!.details).toMatchObject({
      vendor_code: 'UNAUTHORIZED',
      vendor_message: 'Invalid or missing API key',
    });
    expect(fake.state.requests).toHaveLength(1);
    expect(apiReads()).toHaveLength(0);
  });
});
