// Lying vendors against the real `serve` process: sizes one byte short, junk after the gzip, a
// resume at the wrong offset, a 7 MB error, a status that never maps, a file dripped a byte a
// second, file links at the engine itself. The process must never exit; every export ends with a
// reason; vendor texts stay small; deadlines hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Export } from '../../shared/schemas/exports.ts';
import {
  liarConfig,
  startLyingVendor,
  type Lie,
  type LieParams,
} from '../fixtures/vendors/lying-vendor.ts';
import { recordFigures } from './figures.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

// Long enough that 40 polls answering 7 MB each (parsed under --vendor-timeout 2, retried) end in
// the vendor's error on a loaded 2-core machine, short enough to end a status that never maps.
const WAIT_DEADLINE_S = 10;
const DOWNLOAD_DEADLINE_S = 5;
let root: string;
let srv: ServeProcess;
let vendor: Awaited<ReturnType<typeof startLyingVendor>>;
let provider: string;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'em-liars-'));
  vendor = await startLyingVendor();
  srv = await startServe(join(root, 'data'), [
    '--vendor-timeout',
    '2',
    '--vendor-wait-deadline',
    String(WAIT_DEADLINE_S),
    '--vendor-download-deadline',
    String(DOWNLOAD_DEADLINE_S),
    '--demo-rows',
    '2000',
  ]);
  const p = await srv.api<{ data: { id: string } }>('POST', '/v1/providers', {
    name: 'Liar',
    type: 'generic',
    base_url: vendor.url,
    credential: vendor.token,
    requests_per_second: 200,
    max_concurrent_exports: 16,
    options: { config: liarConfig },
  });
  expect(p.status).toBe(201);
  provider = p.json.data.id;
});
afterAll(async () => {
  await srv?.stop();
  await vendor?.stop();
  recordFigures('lying_vendors', figures);
  rmSync(root, { recursive: true, force: true });
});

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await srv.api<{ data: Export }>('POST', '/v1/exports', body);
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  return res.json.data.id;
}

async function final(id: string, timeoutMs = 120_000): Promise<Export> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await srv.api<{ data: Export }>('GET', `/v1/exports/${id}`);
    if (!['pending', 'processing'].includes(json.data.status)) return json.data;
    if (Date.now() > deadline)
      throw new Error(`still ${json.data.status}: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = () => srv.child.exitCode === null && srv.child.signalCode === null;

describe('lying vendors against serve', () => {
  it('random lies, all at once beside a local export: the process lives, each ends with a reason', async () => {
    const pool: Lie[] = ['none', 'size-one-short', 'trailing-bytes', 'wrong-offset', 'huge-error'];
    const picks = fc.sample(fc.constantFrom(...pool), {
      numRuns: Number(process.env.RELIABILITY_LIES ?? 40),
      seed: Number(process.env.RELIABILITY_SEED ?? 21),
    });
    const local = await create({ dataset: 'leads', format: 'csv' });
    const ids = await Promise.all(
      picks.map((lie) => create({ provider, params: { lie } satisfies LieParams, name: lie })),
    );
    const outcomes: Record<string, number> = {};
    for (const [i, id] of ids.entries()) {
      const exp = await final(id);
      const key = `${picks[i]} → ${exp.status === 'completed' ? 'completed' : exp.error?.code}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (exp.status !== 'completed') expect(exp.error?.message.length).toBeGreaterThan(20);
      expect(['completed', 'failed']).toContain(exp.status);
    }
    expect((await final(local)).status).toBe('completed');
    expect(alive()).toBe(true);
    expect(srv.output()).not.toMatch(/uncaught|unhandled/i);
    figures.random_lies = picks.length;
    figures.outcomes = outcomes;
  });

  it('40 exports failed with a 7 MB vendor error: the list of 50 answers 200 and stays small', async () => {
    const ids = await Promise.all(
      Array.from({ length: 40 }, () => create({ provider, params: { lie: 'huge-error' } })),
    );
    for (const id of ids) {
      const e = (await final(id)).error;
      expect(e?.code, JSON.stringify(e).slice(0, 600)).toBe('PROVIDER_EXPORT_FAILED');
    }
    const started = Date.now();
    const res = await fetch(`${srv.base}/v1/exports?limit=50`, {
      headers: { authorization: `Bearer ${srv.key}` },
    });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body.length).toBeLessThan(50 * 8 * 1024);
    figures.list_of_50_bytes = body.length;
    figures.list_of_50_ms = Date.now() - started;
  });

  it('a link to the engine itself is refused; deadlines end a never-mapping status and a drip', async () => {
    const self = await final(
      await create({ provider, params: { lie: 'file-url', href: `${srv.base}/v1/exports` } }),
    );
    expect(self.error?.message).toMatch(/own address/);
    let t = Date.now();
    const never = await final(await create({ provider, params: { lie: 'never-maps' } }));
    figures.never_maps_failed_after_ms = Date.now() - t;
    expect(never.error?.details).toMatchObject({ deadline: 'wait', vendor_status: 'MYSTERY' });
    t = Date.now();
    const drip = await final(await create({ provider, params: { lie: 'drip' } }));
    figures.drip_failed_after_ms = Date.now() - t;
    expect(drip.error?.code).toBe('DOWNLOAD_FAILED');
    expect(drip.error?.details).toMatchObject({ deadline: 'download' });
    expect(alive()).toBe(true);
  });
});
