// Hostile vendors against the real `serve` process: file names that climb out of folders, a gzip
// bomb, a body far larger than announced, a vendor that never answers, a redirect to file://.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { Export } from '../../shared/schemas/exports.ts';
import {
  startVendorFake,
  type FakeOptions,
  type VendorFake,
} from '../fixtures/vendors/vendor-fake.ts';
import { recordFigures } from './figures.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

let root: string;
let srv: ServeProcess;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'em-hostile-'));
  srv = await startServe(join(root, 'data'), ['--vendor-timeout', '2', '--demo-rows', '0']);
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
  timeoutMs = 90_000,
): Promise<{ exp: Export; fake: VendorFake; ms: number }> {
  const fake = await startVendorFake(opts);
  const provider = await srv.api<{ data: { id: string } }>('POST', '/v1/providers', {
    name: `${opts.vendor} ${opts.scenario}`,
    type: opts.vendor,
    base_url: fake.url,
    credential: fake.token,
    ...(opts.vendor === 'dynamic' ? { options: { environment_id: fake.environmentId } } : {}),
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
    if (Date.now() > deadline)
      throw new Error(`still ${json.data.status}: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function healthy(): Promise<void> {
  const res = await fetch(`${srv.base}/healthz`);
  expect(res.status).toBe(200);
}

/** Every file under dir, relative. */
function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`],
  );
}

describe('hostile vendors, end to end', () => {
  it.each(['datadriver', 'dealmachine'] as const)(
    '%s: a file named ../../.bashrc is sanitised and lands inside the destination',
    async (vendor) => {
      const dest = join(root, vendor, 'a', 'b', 'dest');
      mkdirSync(dest, { recursive: true });
      const before = walk(root).filter((p) => !p.startsWith('data/'));
      const { exp, fake } = await exportFrom({ vendor, scenario: 'hostile-filename' }, dest);
      await fake.stop();
      expect(exp.status, JSON.stringify(exp.error)).toBe('completed');
      for (const f of exp.files) expect(f.filename).not.toMatch(/[/\\]|^\.\.?$|^\./);
      for (const p of exp.destination!.saved_paths)
        expect(resolve(p).startsWith(resolve(dest) + sep)).toBe(true);
      // Nothing appeared anywhere else: not beside the destination, not above it.
      const after = walk(root).filter((p) => !p.startsWith('data/'));
      const added = after.filter((p) => !before.includes(p));
      expect(added.every((p) => p.startsWith(`${vendor}/a/b/dest/`))).toBe(true);
      expect(existsSync(join(root, vendor, 'a', '.bashrc'))).toBe(false);
      expect(existsSync(join(root, '.bashrc'))).toBe(false);
      await healthy();
    },
  );

  it('a 10 GB gzip bomb stops at the cap with DOWNLOAD_FAILED, memory bounded', async () => {
    const rssBefore = memoryKb('VmRSS');
    const { exp, fake, ms } = await exportFrom({
      vendor: 'datadriver',
      scenario: 'gzip-bomb',
      bombBytes: 10 * 1024 ** 3,
    });
    await fake.stop();
    expect(exp.status).toBe('failed');
    expect(exp.error?.code).toBe('DOWNLOAD_FAILED');
    expect(exp.error?.message).toMatch(/gzip bomb/);
    const peakGrowthMb = (memoryKb('VmHWM') - rssBefore) / 1024;
    figures.gzip_bomb = { decompressed_gb: 10, peak_rss_growth_mb: Math.round(peakGrowthMb), ms };
    expect(peakGrowthMb).toBeLessThan(200);
    // Nothing of it is kept: no file served, nothing left in the export's folder.
    expect(exp.files).toEqual([]);
    await healthy();
  });

  it('a body far larger than announced is cut off: DOWNLOAD_FAILED, nothing kept', async () => {
    const { exp, fake } = await exportFrom({ vendor: 'datadriver', scenario: 'oversize' });
    await fake.stop();
    expect(exp.status).toBe('failed');
    expect(exp.error?.code).toBe('DOWNLOAD_FAILED');
    expect(exp.error?.message).toMatch(/more than the \d+ bytes announced/);
    expect(exp.files).toEqual([]);
    await healthy();
  });

  it('a vendor that never answers times out and the export fails with a reason', async () => {
    const { exp, fake, ms } = await exportFrom({ vendor: 'datadriver', scenario: 'never-answers' });
    await fake.stop();
    figures.never_answers = { vendor_timeout_s: 2, failed_after_ms: ms };
    expect(exp.status).toBe('failed');
    expect(exp.error?.code).toBe('PROVIDER_ERROR');
    expect(exp.error?.message).toMatch(/did not answer within 2 s/);
    await healthy();
  });

  it.each(['datadriver', 'dealmachine'] as const)(
    '%s: a redirect to file:// is refused, never followed',
    async (vendor) => {
      const { exp, fake } = await exportFrom({ vendor, scenario: 'redirect-to-file' });
      await fake.stop();
      expect(exp.status).toBe('failed');
      expect(exp.error?.code).toBe('DOWNLOAD_FAILED');
      expect(JSON.stringify(exp)).not.toContain('root:x:0:0');
      await healthy();
    },
  );
});
