// A vendor that lies, through the whole engine and API: every export fails or completes with a
// reason, the engine never goes down (an unrelated local export completes), vendor texts stay
// small, phases have overall deadlines, and file links may not point at the engine itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { Export } from '../../shared/schemas/exports.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { createExport, waitFinal } from '../helpers/exports.ts';
import { tempDir } from '../helpers/context.ts';
import { liarConfig, startLyingVendor, type LieParams } from '../fixtures/vendors/lying-vendor.ts';

const fast = {
  http: {
    minDelayMs: 5,
    maxDelayMs: 20,
    maxRetryAfterMs: 20,
    headersTimeoutMs: 3_000,
    bodyTimeoutMs: 3_000,
  },
  runner: {
    pollMinMs: 5,
    pollMaxMs: 20,
    download: {
      maxAttempts: 4,
      maxBytes: 1e9,
      minDelayMs: 5,
      maxDelayMs: 20,
      maxRetryAfterMs: 20,
    },
  },
};

let vendor: Awaited<ReturnType<typeof startLyingVendor>>;
let s: TestServer;
let provider: string;
let dest: string;

async function addLiar(server: TestServer): Promise<string> {
  const res = await server.call({
    method: 'POST',
    url: '/v1/providers',
    payload: {
      name: 'Liar',
      type: 'generic',
      base_url: vendor.url,
      credential: vendor.token,
      requests_per_second: 500,
      options: { config: liarConfig },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data.id as string;
}

async function run(server: TestServer, prov: string, params: LieParams): Promise<Export> {
  const res = await createExport(server, {
    provider: prov,
    params,
    name: `liar ${params.lie}`,
    destination: { dir: dest, decompress: true },
  });
  expect(res.statusCode, res.body).toBe(202);
  return waitFinal(server, res.json().data.id, 60_000);
}

beforeAll(async () => {
  vendor = await startLyingVendor();
  s = await makeServer({ exportsTestSeams: { progressMs: 0 }, providersTestSeams: fast });
  provider = await addLiar(s);
  dest = tempDir('em-liar-dest-');
});
afterAll(async () => {
  await s.close();
  await vendor.stop();
  rmSync(dest, { recursive: true, force: true });
});

describe('a lying vendor never takes the engine down', () => {
  it.each<[LieParams['lie'], string | null]>([
    ['none', null],
    ['size-one-short', 'DOWNLOAD_FAILED'],
    // Resumed at the wrong offset: the part is dropped and the file fetched whole again.
    ['wrong-offset', null],
    ['reset-always', 'DOWNLOAD_FAILED'],
    ['trailing-bytes', 'DOWNLOAD_FAILED'],
  ])('%s: ends %s with a reason', async (lie, code) => {
    const exp = await run(s, provider, { lie });
    if (code === null) expect(exp.status, JSON.stringify(exp.error)).toBe('completed');
    else {
      expect(exp.status).toBe('failed');
      expect(exp.error?.code).toBe(code);
      expect(exp.error?.message.length).toBeGreaterThan(20);
    }
    // The engine is still there and still exports.
    const local = await createExport(s, { dataset: 'nope' });
    expect(local.statusCode).toBeLessThan(500);
  });
});

describe('vendor texts are capped', () => {
  it('a 7 MB vendor error is stored once, capped at 4 KB; a list of 40 of them answers 200', async () => {
    const exp = await run(s, provider, { lie: 'huge-error' });
    expect(exp.status).toBe('failed');
    expect(exp.error?.code).toBe('PROVIDER_EXPORT_FAILED');
    const stored = JSON.stringify(exp.error);
    expect(stored.length).toBeLessThan(6 * 1024);
    expect(String(exp.error?.details?.vendor_message)).toMatch(/… \(7335936 more characters\)$/);
    expect(exp.error!.message.length).toBeLessThan(600);
    const ids = await Promise.all(
      Array.from({ length: 39 }, async () => {
        const res = await createExport(s, { provider, params: { lie: 'huge-error' } });
        return res.json().data.id as string;
      }),
    );
    for (const id of ids) await waitFinal(s, id, 60_000);
    const list = await s.call({ url: '/v1/exports?limit=50' });
    expect(list.statusCode).toBe(200);
    expect(list.body.length).toBeLessThan(50 * 8 * 1024);
  });
});

describe('vendor file links', () => {
  it.each([
    ['the engine itself', 'http://127.0.0.1:8787/v1/exports', /own address/],
    ['the engine itself by name', 'http://localhost:8787/v1/keys', /own address/],
    ['an ftp link', 'ftp://files.example/x.csv.gz', /only http and https/],
  ])('a link to %s is refused with DOWNLOAD_FAILED', async (_what, href, message) => {
    const exp = await run(s, provider, { lie: 'file-url', href });
    expect(exp.status).toBe('failed');
    expect(exp.error?.code).toBe('DOWNLOAD_FAILED');
    expect(exp.error?.message).toMatch(message);
  });

  it('with vendor-file-urls public, loopback and private storage is refused; the provider origin is not', async () => {
    const strict = await makeServer({
      exportsTestSeams: { progressMs: 0 },
      providersTestSeams: fast,
      vendorFileUrls: 'public',
    });
    try {
      const prov = await addLiar(strict);
      // The vendor's own origin (the one the user configured) stays allowed.
      expect((await run(strict, prov, { lie: 'none' })).status).toBe('completed');
      for (const href of [
        `http://127.0.0.2:${new URL(vendor.url).port}/blobs/x`,
        'http://10.1.2.3/x.csv.gz',
        'http://[::ffff:192.168.1.1]/x.csv.gz',
        'http://169.254.169.254/latest/meta-data',
      ]) {
        const exp = await run(strict, prov, { lie: 'file-url', href });
        expect(exp.status, href).toBe('failed');
        expect(exp.error?.message, href).toMatch(/private addresses are forbidden/);
      }
    } finally {
      await strict.close();
    }
  });
});

describe('overall deadlines', () => {
  it('a status that never maps and a file dripped a byte a second fail at their deadlines, in words', async () => {
    const timed = await makeServer({
      exportsTestSeams: { progressMs: 0 },
      providersTestSeams: fast,
      vendorDeadlines: { maxWaitMs: 1_500, downloadDeadlineMs: 2_500 },
    });
    try {
      const prov = await addLiar(timed);
      const t0 = Date.now();
      const never = await run(timed, prov, { lie: 'never-maps' });
      expect(never.status).toBe('failed');
      expect(never.error?.code).toBe('PROVIDER_ERROR');
      expect(never.error?.message).toMatch(
        /did not finish the export within 2 s \(the wait deadline\)/,
      );
      expect(never.error?.details).toMatchObject({ deadline: 'wait', vendor_status: 'MYSTERY' });
      const drip = await run(timed, prov, { lie: 'drip' });
      expect(drip.status).toBe('failed');
      expect(drip.error?.code).toBe('DOWNLOAD_FAILED');
      expect(drip.error?.message).toMatch(
        /did not deliver the files within 3 s \(the download deadline\)/,
      );
      expect(Date.now() - t0).toBeLessThan(20_000);
    } finally {
      await timed.close();
    }
  });
});
