import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  startVendorFake,
  type FakeOptions,
  type VendorFake,
  type VendorKind,
} from '../../fixtures/vendors/vendor-fake.ts';
import { gzipBomb } from '../../fixtures/vendors/csv-data.ts';
import { makeRig, type Rig, type RunResult } from './helpers.ts';

let rig: Rig;
let fake: VendorFake;
afterEach(async () => {
  await fake?.stop();
  await rig?.close();
});

async function setup(
  opts: Omit<FakeOptions, 'vendor'> & { vendor?: VendorKind },
  rigSettings: Parameters<typeof makeRig>[0] = {},
) {
  rig = makeRig(rigSettings);
  const vendor = opts.vendor ?? 'datadriver';
  fake = await startVendorFake({ clock: rig.ctx.clock, ...opts, vendor });
  return rig.addProvider({
    name: 'Vendor',
    type: vendor,
    base_url: fake.url,
    credential: fake.token,
    ...(vendor === 'dynamic' ? { options: { environment_id: fake.environmentId } } : {}),
  });
}

/** The run succeeded with the bytes of the newest vendor export, intact. */
function expectVendorFiles(res: RunResult) {
  expect(res.error, res.error?.message).toBeUndefined();
  const exp = [...fake.state.exports.values()].at(-1)!;
  res.files!.forEach((f, i) => {
    const bytes = readFileSync(join(res.exportDir, f.filename));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(exp.files[i]!.sha256);
    expect(gunzipSync(bytes).toString()).toBe(exp.files[i]!.csv);
  });
  expect(readdirSync(res.exportDir).sort()).toEqual(res.files!.map((f) => f.filename).sort());
}

/** The run failed with this code, and nothing is left in the export folder. */
function expectFailed(res: RunResult, code: string) {
  expect(res.files, 'the run should have failed').toBeUndefined();
  expect(res.error?.code, res.error?.message).toBe(code);
  expect(readdirSync(res.exportDir)).toEqual([]);
}

const storage = () => fake.state.requests.filter((r) => r.host === 'storage');
const api = () => fake.state.requests.filter((r) => r.host === 'api');

describe('retries and politeness', () => {
  it('429 with Retry-After: waits the asked 2 s, then goes on, creating only one export', async () => {
    const id = await setup({ scenario: 'rate-limited' });
    const res = await rig.run(id);
    expectVendorFiles(res);
    // While it waited, the export said why.
    expect(res.progress.map((p) => p.stage)).toContainEqual(
      expect.stringMatching(
        /^127\.0\.0\.1:\d+ answered 429\. Trying again in 2 s \(retry 1 of \d+\)\.$/,
      ),
    );
    const posts = api().filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(fake.state.creates).toBe(1);
    // Both tries carried the same key, so even a vendor that did create would give the same export.
    expect(posts.map((p) => p.idempotencyKey)).toEqual([
      expect.any(String),
      posts[0]!.idempotencyKey,
    ]);
  });

  it('5xx then success: API and storage errors are retried with backoff', async () => {
    const id = await setup({ scenario: 'server-errors' });
    expectVendorFiles(await rig.run(id));
    expect(storage()).toHaveLength(2);
  });

  it('a 401 fails at once with PROVIDER_UNAUTHORIZED and the vendor message, no retry', async () => {
    const id = await setup({ scenario: 'unauthorized', vendor: 'hookbridge' });
    const res = await rig.run(id);
    expectFailed(res, 'PROVIDER_UNAUTHORIZED');
    expect(api()).toHaveLength(1);
    expect(res.error!.details).toMatchObject({
      http_status: 401,
      vendor_code: 'UNAUTHORIZED',
      vendor_message: 'Invalid or missing API key',
    });
  });

  it('a vendor that never answers times out with PROVIDER_ERROR', async () => {
    const id = await setup(
      { scenario: 'never-answers' },
      { http: { headersTimeoutMs: 150, maxRetries: 1 } },
    );
    const res = await rig.run(id);
    expectFailed(res, 'PROVIDER_ERROR');
    expect(res.error!.message).toMatch(/did not answer/);
    expect(res.progress.map((p) => p.stage)).toContainEqual(
      expect.stringMatching(
        /did not answer within 150 ms\. Trying again in .* \(retry 1 of 1\)\.$/,
      ),
    );
    expect(fake.state.requests).toHaveLength(2);
  });

  it('max_concurrent_exports 1: a second export starts at the vendor only after the first is done', async () => {
    const id = await setup({});
    rig.providers.update(id, { max_concurrent_exports: 1 });
    const results = await Promise.all([rig.run(id), rig.run(id), rig.run(id)]);
    for (const r of results) expect(r.error).toBeUndefined();
    const reqs = fake.state.requests;
    const exports = [...fake.state.exports.keys()];
    const span = (remote: string) => {
      const idx = reqs.flatMap((r, i) =>
        r.path.includes(remote) || (r.method === 'POST' && reqs[i + 1]?.path.includes(remote))
          ? [i]
          : [],
      );
      return [Math.min(...idx), Math.max(...idx)] as const;
    };
    const spans = exports.map(span).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThan(spans[i - 1]![1]);
  });

  it('requests_per_second: the vendor never sees more than the allowed rate', async () => {
    const id = await setup({ pollsUntilDone: 6 });
    rig.providers.update(id, { requests_per_second: 2 });
    await Promise.all([rig.run(id), rig.run(id)]);
    const at = api().map((r) => r.at);
    expect(at.length).toBeGreaterThanOrEqual(14);
    // A burst of 2, then one every 500 ms at most.
    for (let i = 2; i < at.length; i++) expect(at[i]! - at[i - 2]!).toBeGreaterThanOrEqual(999);
  });
});

describe('downloads', () => {
  it('a connection cut halfway resumes with Range/If-Range and ends with the right sha256', async () => {
    const id = await setup({ scenario: 'cut-halfway', rows: 3000 });
    expectVendorFiles(await rig.run(id));
    const s = storage();
    expect(s).toHaveLength(2);
    expect(s[0]!.range).toBeNull();
    expect(s[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(s[1]!.range!)![0])).toBeGreaterThan(0);
  });

  it('a server that ignores Range restarts from zero and never appends', async () => {
    const id = await setup({ scenario: 'ignores-range', rows: 3000 });
    expectVendorFiles(await rig.run(id));
    expect(storage()[1]!.range).not.toBeNull();
  });

  it('a link expiring mid-download is refreshed by reading the export again, then resumed', async () => {
    const id = await setup({ scenario: 'link-expires-mid-download', rows: 3000 });
    expectVendorFiles(await rig.run(id));
    const s = storage();
    expect(s.map((r) => r.path.includes('v=1'))).toEqual([true, true, false]);
    expect(s[2]!.range).toMatch(/^bytes=\d+-$/); // resumed, not restarted, on the fresh link
    expect(fake.state.creates).toBe(1);
  });

  it('url_expires_at already passed: the link is refreshed before any byte is fetched', async () => {
    const id = await setup({ urlTtlMs: 60_000 });
    let moved = false;
    const res = await rig.run(
      id,
      {},
      {
        onProgress: (p) => {
          if (!moved && p.stage?.startsWith('ready at')) {
            moved = true;
            rig.ctx.clock.advance(61_000);
          }
        },
      },
    );
    expectVendorFiles(res);
    expect(storage()).toHaveLength(1); // no request on the stale link
    expect(fake.state.creates).toBe(1);
  });

  it('HookBridge 409 EXPORT_NOT_READY on the download: waits, asks again, downloads', async () => {
    const id = await setup({ vendor: 'hookbridge', scenario: 'not-ready' });
    expectVendorFiles(await rig.run(id));
  });

  it('a wrong size announced by the vendor fails with CHECKSUM_MISMATCH', async () => {
    const id = await setup({ scenario: 'wrong-size' });
    const res = await rig.run(id);
    expectFailed(res, 'CHECKSUM_MISMATCH');
    expect(res.error!.details).toMatchObject({ actual_size: expect.any(Number) });
  });

  it('a response larger than announced is cut off: DOWNLOAD_FAILED', async () => {
    const id = await setup({ scenario: 'oversize' });
    expectFailed(await rig.run(id), 'DOWNLOAD_FAILED');
  });

  it('a damaged gzip trailer fails with CHECKSUM_MISMATCH', async () => {
    const id = await setup({ scenario: 'corrupt-gzip', vendor: 'dealmachine' });
    expectFailed(await rig.run(id), 'CHECKSUM_MISMATCH');
  });

  it('a row count unlike the vendor announced fails with CHECKSUM_MISMATCH', async () => {
    const id = await setup({ scenario: 'row-count-mismatch', vendor: 'hookbridge' });
    const res = await rig.run(id);
    expectFailed(res, 'CHECKSUM_MISMATCH');
    expect(res.error!.details).toMatchObject({ expected_rows: 41, actual_rows: 40 });
  });

  it('a gzip bomb stops at the decompression cap with memory bounded', async () => {
    const id = await setup(
      { scenario: 'gzip-bomb', bombBytes: 1024 * 1024 ** 2 },
      {
        runner: {
          verify: { maxOutputBytes: 8 * 1024 ** 3, maxRatio: 100, ratioFloorBytes: 16 * 1024 ** 2 },
        },
      },
    );
    gzipBomb(1); // the fake's building block, made before measuring
    const before = process.memoryUsage().rss;
    const res = await rig.run(id);
    expectFailed(res, 'DOWNLOAD_FAILED');
    expect(res.error!.message).toMatch(/gzip bomb/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 ** 2);
  });

  it.each(['datadriver', 'dealmachine'] as const)(
    '%s: a hostile file name (../../.bashrc) is sanitised and stays in the export folder',
    async (vendor) => {
      const id = await setup({ scenario: 'hostile-filename', vendor });
      const res = await rig.run(id);
      expectVendorFiles(res);
      expect(res.files!.map((f) => f.filename)).toEqual(['bashrc.csv.gz']);
      expect(existsSync(join(res.exportDir, '..', '..', '.bashrc'))).toBe(false);
    },
  );

  it.each(['datadriver', 'hookbridge'] as const)(
    '%s: a redirect to a file: URL is refused with DOWNLOAD_FAILED',
    async (vendor) => {
      const id = await setup({ scenario: 'redirect-to-file', vendor });
      const res = await rig.run(id);
      expectFailed(res, 'DOWNLOAD_FAILED');
      expect(res.error!.message).toMatch(/file:/);
    },
  );
});

describe('vendor outcomes', () => {
  it.each([
    [
      'datadriver',
      'QUERY_TOO_BROAD',
      'Filter matches more than 10,000,000 rows. Add narrower constraints.',
    ],
    ['hookbridge', null, 'Export generation failed: upstream store timed out'],
    ['dealmachine', 'EXPORT_FAILED', 'Export failed: too many records'],
    ['dynamic', null, expect.stringContaining('export worker crashed')],
  ] as const)(
    '%s: a failed vendor export fails ours with PROVIDER_EXPORT_FAILED and the vendor error',
    async (vendor, code, message) => {
      const id = await setup({ scenario: 'failed', vendor });
      const res = await rig.run(id);
      expectFailed(res, 'PROVIDER_EXPORT_FAILED');
      expect(res.error!.details).toMatchObject({ vendor_code: code, vendor_message: message });
      expect(fake.state.creates).toBe(1);
    },
  );

  it.each(['datadriver', 'hookbridge', 'dealmachine', 'dynamic'] as const)(
    '%s: an export expired at the vendor is re-created once, linked to the first, then downloaded',
    async (vendor) => {
      const id = await setup({ scenario: 'export-expired', vendor });
      const res = await rig.run(id);
      expectVendorFiles(res);
      expect(fake.state.creates).toBe(2);
      const [first, second] = [...fake.state.exports.keys()];
      const rows = rig.providers.repo.remotes(res.exportId);
      expect(rows.map((r) => [r.seq, r.remote_id, r.recreated_from, r.idempotency_key])).toEqual([
        [1, first, null, res.exportId],
        [2, second, first, `${res.exportId}:2`],
      ]);
      expect(res.recorded.at(-1)![0]).toBe(second);
    },
  );

  it('an export that keeps expiring is re-created a bounded number of times, then fails with the vendor error', async () => {
    const id = await setup({ scenario: 'always-expired' });
    const res = await rig.run(id);
    expectFailed(res, 'PROVIDER_EXPORT_EXPIRED');
    expect(fake.state.creates).toBe(4);
    expect(res.error!.details).toMatchObject({
      vendor_code: 'EXPORT_EXPIRED',
      vendor_message: 'This export expired on 2026-05-16T12:14:00Z. Please re-create.',
    });
  });
});
