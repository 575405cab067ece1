// Crash loop: kill -9 the real serve process at random moments while local and vendor exports run,
// restart, and check after every restart that nothing completed is lost or served corrupt.
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/context.ts';
import { startVendorFake, type VendorFake } from '../fixtures/vendors/vendor-fake.ts';
import { startServe, type ServeProcess } from './serve-process.ts';
import { recordFigures } from './figures.ts';

const RESTARTS = Number(process.env.RELIABILITY_RESTARTS ?? 30);
const dataDir = tempDir('em-rel-crash-');
let fake: VendorFake | undefined;
let s: ServeProcess | undefined;

afterAll(async () => {
  await s?.stop();
  await fake?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Exp {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
  source: { type: string };
  files: { filename: string; byte_size: number; sha256: string }[];
  download_url: string | null;
}

// A seeded generator, so a failing run can be replayed with RELIABILITY_SEED.
let seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

async function allExports(p: ServeProcess): Promise<Exp[]> {
  const out: Exp[] = [];
  let cursor = '';
  for (;;) {
    const r = await p.api<{ data: Exp[]; meta: { next_cursor: string | null } }>(
      'GET',
      `/v1/exports?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(r.status).toBe(200);
    out.push(...r.json.data);
    if (!r.json.meta.next_cursor) return out;
    cursor = r.json.meta.next_cursor;
  }
}

/** What must hold after every restart. */
async function checkInvariants(p: ServeProcess): Promise<{ completed: number }> {
  const db = new Database(join(dataDir, 'export-manager.sqlite'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    db.close();
  }
  const exps = await allExports(p);
  let completed = 0;
  for (const e of exps) {
    if (e.status === 'failed') expect(e.error?.code, e.id).toBeTruthy();
    for (const f of e.files) expect(f.filename.endsWith('.part'), f.filename).toBe(false);
    if (e.status !== 'completed') continue;
    completed++;
    // The stored file matches the store's size and sha256, and the link serves exactly it.
    const path = join(dataDir, 'files', e.id, e.files[0]!.filename);
    const bytes = readFileSync(path);
    expect(bytes.length, e.id).toBe(e.files[0]!.byte_size);
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(sha, e.id).toBe(e.files[0]!.sha256);
    const served = Buffer.from(await (await fetch(e.download_url!)).arrayBuffer());
    expect(createHash('sha256').update(served).digest('hex')).toBe(sha);
  }
  return { completed };
}

/** .part files left by a killed process: recovery removes them once it has taken the jobs back. */
function partFiles(): string[] {
  const root = join(dataDir, 'files');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((id) =>
    statSync(join(root, id)).isDirectory()
      ? readdirSync(join(root, id))
          .filter((f) => f.endsWith('.part'))
          .map((f) => `${id}/${f}`)
      : [],
  );
}

describe('crash loop', () => {
  it(`survives ${RESTARTS} kill -9 restarts with local and vendor exports running`, async () => {
    fake = await startVendorFake({ vendor: 'datadriver', token: 'vendor-token', rows: 3000 });
    const startedSeed = seed;
    let provider = '';
    let providerExports = 0;
    let created = 0;
    for (let round = 0; round < RESTARTS; round++) {
      s = await startServe(dataDir, ['--demo-rows', '150000']);
      await checkInvariants(s);
      if (!provider) {
        const p = await s.api<{ data: { id: string } }>('POST', '/v1/providers', {
          name: 'DataDriver fake',
          type: 'datadriver',
          base_url: fake.url,
          credential: 'vendor-token',
          requests_per_second: 200,
        });
        expect(p.status).toBe(201);
        provider = p.json.data.id;
      }
      // A large local export, a small one with a filter, and one from the vendor.
      const requests = [
        { dataset: 'leads', compression: 'gzip' },
        {
          dataset: 'leads',
          format: 'jsonl',
          filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
        },
        { provider, params: {} },
      ];
      for (const body of requests) {
        const r = await s.api('POST', '/v1/exports', body);
        expect(r.status).toBe(202);
        created++;
        if ('provider' in body) providerExports++;
      }
      await new Promise((r) => setTimeout(r, 50 + random() * 1500));
      await s.kill9();
    }

    // Last start: no kill. Every export must end completed or failed with a reason, and no job may
    // stay processing (leases expire and recovery takes them back).
    s = await startServe(dataDir, ['--demo-rows', '150000']);
    let exps: Exp[] = [];
    for (let i = 0; i < 600; i++) {
      exps = await allExports(s);
      if (exps.every((e) => e.status !== 'pending' && e.status !== 'processing')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(exps).toHaveLength(created);
    const stuck = exps.filter((e) => e.status === 'pending' || e.status === 'processing');
    expect(stuck.map((e) => e.id)).toEqual([]);
    for (const e of exps) expect(['completed', 'failed']).toContain(e.status);
    const { completed } = await checkInvariants(s);
    expect(partFiles()).toEqual([]);
    // Never a duplicate at the vendor: one remote export per provider export, whatever the kills.
    expect(fake.state.creates).toBeLessThanOrEqual(providerExports);
    const vendorCompleted = exps.filter(
      (e) => e.source.type === 'provider' && e.status === 'completed',
    );
    expect(vendorCompleted.length).toBeGreaterThan(0);
    recordFigures('crash_loop', {
      restarts: RESTARTS,
      seed: startedSeed,
      exports: created,
      completed,
      failed: exps.filter((e) => e.status === 'failed').length,
      // Why each failed export failed (code: first message), so a change in the figures explains itself.
      failures: Object.fromEntries(
        exps
          .filter((e) => e.status === 'failed')
          .map((e) => [e.error?.code ?? '?', (e.error?.message ?? '').slice(0, 160)]),
      ),
      vendor_creates: fake.state.creates,
      vendor_exports: providerExports,
    });
  });
});
