// What a local tool does with curl, against the real `export-manager serve` process and port.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tempDir } from '../helpers/context.ts';
import { spawnServe, type SpawnedServe } from '../helpers/spawn-serve.ts';

let serve: SpawnedServe | undefined;
let base = '';
let key = '';
let dataDir = '';
const RETENTION_SECONDS = 600;

/** Starts `serve` on dataDir (a free port), its clock `aheadSeconds` in the future. */
async function startServe(aheadSeconds = 0): Promise<void> {
  // The key's line comes after the port's: both, or a test may read the output too early.
  serve = await spawnServe(
    ['--demo-rows', '5000', '--url-ttl', '60', '--retention', String(RETENTION_SECONDS)],
    { ...process.env, EXPORT_MANAGER_CLOCK_AHEAD_SECONDS: String(aheadSeconds) },
    { dataDir, apiKeyLine: true, timeoutMs: 20_000 },
  );
  base = serve.base;
}

async function stopServe(): Promise<void> {
  await serve?.stop();
}

beforeAll(async () => {
  dataDir = tempDir();
  await startServe();
  key = readFileSync(join(dataDir, 'api-key'), 'utf8').trim();
});

afterAll(async () => {
  await stopServe();
  rmSync(dataDir, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${key}` });

describe('a local tool, as with curl', () => {
  it('prints where the key is, never the key', () => {
    const output = serve!.output();
    expect(output).toContain(`API key: in ${join(dataDir, 'api-key')}`);
    expect(output).not.toContain(key);
  });

  it('creates, polls, follows the 302, gunzips, counts rows against row_count and checks sha256; a start past its retention sees it expired', async () => {
    const created = await fetch(`${base}/v1/exports`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset: 'leads',
        filter: { where: [{ column: 'state', op: 'in', value: ['TX', 'CA'] }] },
      }),
    });
    expect(created.status).toBe(202);
    const { id } = ((await created.json()) as { data: { id: string } }).data;
    type Polled = { status: string; row_count: number; files: { sha256: string }[] };
    const exp = await vi.waitFor(
      async () => {
        const res = await fetch(`${base}/v1/exports/${id}`, { headers: auth() });
        const data = ((await res.json()) as { data: Polled }).data;
        if (data.status === 'pending' || data.status === 'processing')
          throw new Error(`export ${id} still ${data.status}`);
        return data;
      },
      { timeout: 10_000, interval: 25 },
    );
    expect(exp.status).toBe('completed');
    const file = await fetch(`${base}/v1/exports/${id}/download`, { headers: auth() }); // follows the 302; the link needs no key
    expect(file.status).toBe(200);
    expect(file.redirected).toBe(true);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(exp.files[0]!.sha256);
    const lines = gunzipSync(bytes).toString('utf8').split('\r\n').filter(Boolean);
    expect(lines.length - 1).toBe(exp.row_count);
    expect(lines.slice(1).every((l) => /,(TX|CA),/.test(l))).toBe(true);

    // The same data folder started again, its clock past --retention: no waiting for it.
    await stopServe();
    await startServe(RETENTION_SECONDS + 1);
    expect(readFileSync(join(dataDir, 'api-key'), 'utf8').trim()).toBe(key);
    const later = (
      (await (await fetch(`${base}/v1/exports/${id}`, { headers: auth() })).json()) as {
        data: { status: string };
      }
    ).data;
    expect(later.status).toBe('expired');
    expect(
      (await fetch(`${base}/v1/exports/${id}/download`, { headers: auth(), redirect: 'manual' }))
        .status,
    ).toBe(410);
  });
});
