// Hostile vendors against the real `serve` process: file names that climb out of folders, a gzip
// bomb, a body far larger than announced, a vendor that never answers, redirects to non-http schemes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve, sep } from 'node:path';
import type { Export } from '../../shared/schemas/exports.ts';
import {
  startVendorFake,
  type FakeOptions,
  type VendorFake,
} from '../fixtures/vendors/vendor-fake.ts';
import { recordFigures } from './figures.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const VENDOR_TIMEOUT_S = 2;
let root: string;
let srv: ServeProcess;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'em-hostile-'));
  srv = await startServe(join(root, 'data'), [
    '--vendor-timeout',
    String(VENDOR_TIMEOUT_S),
    '--demo-rows',
    '0',
  ]);
});
afterAll(async () => {
  await srv?.stop();
  recordFigures('hostile_vendors', figures);
  rmSync(root, { recursive: true, force: true });
});

function memoryKb(field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${srv.child.pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
}

/** A provider for the fake, an export at it (with a destination), and its final state. */
async function exportFrom(
  opts: FakeOptions,
  dest: string | null = null,
  timeoutMs = 80_000,
): Promise<{ exp: Export; fake: VendorFake; ms: number }> {
  // pollsUntilDone 0: the create answers "completed", so no poll wait slows the suite down.
  const fake = await startVendorFake({ pollsUntilDone: 0, ...opts });
  const provider = await srv.api<{ data: { id: string } }>('POST', '/v1/providers', {
    name: `${opts.vendor} ${opts.scenario}`,
    type: opts.vendor,
    base_url: fake.url,
    credential: fake.token,
  });
  expect(provider.status).toBe(201);
  const started = Date.now();
  const created = await srv.api<{ data: Export }>('POST', '/v1/exports', {
    provider: provider.json.data.id,
    params: {},
    name: `${opts.scenario}`,
    ...(dest ? { destination: { dir: dest, decompress: true } } : {}),
  });
  expect(created.status).toBe(202);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await srv.api<{ data: Export }>('GET', `/v1/exports/${created.json.data.id}`);
    if (!['pending', 'processing'].includes(json.data.status))
      return { exp: json.data, fake, ms: Date.now() - started };
    if (Date.now() > deadline) {
      await fake.stop();
      throw new Error(`still ${json.data.status}: ${JSON.stringify(json)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every stored file of a completed export as the user downloads it: 200, the sha256 it lists. */
async function downloadsWork(exp: Export): Promise<void> {
  for (const [i, f] of exp.files.entries()) {
    const link = await fetch(`${srv.base}/v1/exports/${exp.id}/download?file=${i}`, {
      headers: { authorization: `Bearer ${srv.key}` },
      redirect: 'manual',
    });
    expect(link.status).toBe(302);
    const file = await fetch(new URL(link.headers.get('location')!, srv.base));
    expect(file.status, `${f.filename}: ${await file.clone().text()}`).toBe(200);
    const body = Buffer.from(await file.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(f.sha256);
  }
}

async function healthy(): Promise<void> {
  const res = await fetch(`${srv.base}/healthz`);
  expect(res.status).toBe(200);
}

/** Every file under dir, relative. */
function walk(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`],
  );
}

describe('hostile vendors, end to end', () => {
  // An absolute name aims at a folder we own (never at /etc: we run as root).
  const names = (abs: string) => [
    '../../.bashrc',
    'C:\\x',
    '..\\..\\..\\evil',
    `${abs}/evil`,
    '..%2F..%2Fescaped',
    'nul\u0000byte/../../x',
  ];
  const cases = (['datadriver', 'dealmachine'] as const).flatMap((vendor) =>
    names('ABS').map((name) => ({ vendor, name, label: JSON.stringify(name) })),
  );

  it.each(cases)(
    '$vendor: a file named $label is sanitised and lands inside the destination',
    async ({ vendor, name }) => {
      const abs = join(root, 'abs-target');
      const hostile = name.replace('ABS', abs);
      const dest = join(root, vendor, 'a', 'b', 'dest');
      mkdirSync(dest, { recursive: true });
      const outside = () =>
        walk(root).filter((p) => !p.startsWith('data/') && !p.startsWith(`${vendor}/a/b/dest/`));
      const before = outside();
      const { exp, fake } = await exportFrom(
        {
          vendor,
          scenario: 'hostile-filename',
          // DataDriver names its file by its URL, which must look like a data file.
          hostileName: vendor === 'datadriver' ? `${hostile}.csv.gz` : hostile,
        },
        dest,
      );
      const csv = fake.state.csvOf([...fake.state.exports.keys()][0]!)[0];
      await fake.stop();
      expect(exp.status, JSON.stringify(exp.error)).toBe('completed');
      for (const f of exp.files) {
        expect(f.filename).not.toMatch(/[/\\\0]|^\.|^$/);
      }
      await downloadsWork(exp);
      expect(exp.destination!.saved_paths.length).toBeGreaterThan(0);
      for (const p of exp.destination!.saved_paths) {
        expect(resolve(p).startsWith(resolve(dest) + sep), p).toBe(true);
        expect(basename(p)).not.toMatch(/^\./);
        expect(readFileSync(p, 'utf8')).toBe(csv);
      }
      // Nothing appeared anywhere else: not beside the destination, not above it, not at the
      // absolute path.
      expect(outside()).toEqual(before);
      expect(existsSync(abs)).toBe(false);
      await healthy();
    },
  );

  it('a 10 GB gzip bomb stops at the cap with DOWNLOAD_FAILED, memory bounded', async () => {
    const dest = join(root, 'bomb-dest');
    mkdirSync(dest);
    const rssBefore = memoryKb('VmRSS');
    const { exp, fake, ms } = await exportFrom(
      { vendor: 'datadriver', scenario: 'gzip-bomb', bombBytes: 10 * 1024 ** 3 },
      dest,
    );
    await fake.stop();
    expect(exp.status).toBe('failed');
    expect(exp.error?.code).toBe('DOWNLOAD_FAILED');
    expect(exp.error?.message).toMatch(/gzip bomb/);
    const peakMb = memoryKb('VmHWM') / 1024;
    const peakGrowthMb = peakMb - rssBefore / 1024;
    figures.gzip_bomb = {
      decompressed_gb: 10,
      peak_rss_mb: Math.round(peakMb),
      peak_rss_growth_mb: Math.round(peakGrowthMb),
      failed_after_ms: ms,
    };
    expect(peakMb).toBeLessThan(400);
    expect(peakGrowthMb).toBeLessThan(200);
    // Nothing of it is kept: no file served, nothing written to the destination.
    expect(exp.files).toEqual([]);
    expect(walk(dest)).toEqual([]);
    await healthy();
  });

  it('a body far larger than announced is cut off: DOWNLOAD_FAILED, nothing kept', async () => {
    const dest = join(root, 'oversize-dest');
    mkdirSync(dest);
    const { exp, fake } = await exportFrom({ vendor: 'datadriver', scenario: 'oversize' }, dest);
    await fake.stop();
    expect(exp.status).toBe('failed');
    expect(exp.error?.code).toBe('DOWNLOAD_FAILED');
    expect(exp.error?.message).toMatch(/more than the \d+ bytes announced/);
    expect(exp.files).toEqual([]);
    expect(walk(dest)).toEqual([]);
    await healthy();
  });

  it('a vendor that never answers times out and the export fails with a reason', async () => {
    const { exp, fake, ms } = await exportFrom({ vendor: 'datadriver', scenario: 'never-answers' });
    await fake.stop();
    figures.never_answers = { vendor_timeout_s: VENDOR_TIMEOUT_S, failed_after_ms: ms };
    expect(exp.status).toBe('failed');
    expect(exp.error?.code).toBe('PROVIDER_ERROR');
    expect(exp.error?.message).toMatch(new RegExp(`did not answer within ${VENDOR_TIMEOUT_S} s`));
    // The timeout is per attempt; the create is tried 6 times (5 retries, backoff 0.5 s doubling,
    // at most 15.5 s in all): 6 x 2 s + 15.5 s, with room for polling.
    expect(ms).toBeLessThan(6 * VENDOR_TIMEOUT_S * 1000 + 15_500 + 15_000);
    await healthy();
  });

  const redirects = (['datadriver', 'dealmachine', 'hookbridge'] as const).flatMap((vendor) =>
    ['file:///etc/passwd', 'ftp://127.0.0.1/etc/passwd', 'data:text/plain,root:x:0:0:leak'].map(
      (to) => ({ vendor, to }),
    ),
  );
  it.each(redirects)(
    '$vendor: a redirect to $to is refused, never followed',
    async ({ vendor, to }) => {
      const { exp, fake } = await exportFrom({
        vendor,
        scenario: 'redirect-to-file',
        redirectTo: to,
      });
      await fake.stop();
      expect(exp.status).toBe('failed');
      expect(exp.error?.code).toBe('DOWNLOAD_FAILED');
      expect(exp.error?.message).toMatch(/only http and https/);
      expect(exp.files).toEqual([]);
      expect(JSON.stringify(exp)).not.toContain('root:x:0:0');
      await healthy();
    },
  );
});
