// Schedules against a real port and the real clock, as a new user would try them with curl.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readdirSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { startServer, type RunningServer } from '../../electron/server/serve.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { tempDir } from '../helpers/context.ts';

const KEY = 'em_schedules_live_key_0123456789';
let server: RunningServer;
let dataDir = '';
let dest = '';

beforeAll(async () => {
  dataDir = tempDir();
  dest = tempDir('em-sched-live-');
  server = await startServer({
    dataDir,
    port: 0,
    demoRows: 500,
    retentionSeconds: 3,
    envKey: KEY,
    logger: silentLogger,
    staticDir: null,
  });
});

afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(dest, { recursive: true, force: true });
});

async function api(path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return res;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null>, ms = 20_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await fn();
      if (v === null) throw new Error(`timed out waiting for ${what}`);
      return v;
    },
    { timeout: ms, interval: 100 },
  );
}

describe('schedules on a real server', () => {
  it('every 2 seconds with retain 2 keeps one stable file and the two newest runs beside it', async () => {
    const created = await api('/v1/schedules', {
      method: 'POST',
      body: {
        name: 'ca leads',
        request: {
          dataset: 'leads',
          filter: { where: [{ column: 'state', op: 'eq', value: 'CA' }] },
        },
        every_seconds: 2,
        timezone: 'UTC',
        retain: 2,
        destination: { dir: dest, decompress: true },
        filename_template: '{schedule}',
      },
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { data: { id: string } }).data.id;

    await until('a third run', async () =>
      readdirSync(dest).some((f) => f.endsWith('.3.csv')) ? true : null,
    );
    // Pause, let the run in progress finish and the pruning settle, then look at the folder.
    await api(`/v1/schedules/${id}`, { method: 'PATCH', body: { enabled: false } });
    const files = await until('three files', async () => {
      const res = await api(`/v1/schedules/${id}`);
      const sch = ((await res.json()) as { data: { running_export_id: string | null } }).data;
      const list = readdirSync(dest).filter((f) => f !== 'ca leads.csv');
      return sch.running_export_id === null && list.length === 2 ? list : null;
    });
    for (const f of files) expect(f).toMatch(/^ca leads\.\d+\.csv$/);
    expect(readdirSync(dest)).toContain('ca leads.csv');
    const numbers = files.map((f) => Number(/\.(\d+)\.csv$/.exec(f)![1])).sort((x, y) => x - y);
    expect(numbers[1]! - numbers[0]!).toBe(1);
    expect(numbers[1]).toBeGreaterThanOrEqual(3);
    // The older runs' records went too (these may have expired since: retention is 3 s here).
    const res = await api(`/v1/exports?schedule_id=${id}&limit=100`);
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(2);
  });

  it('keep-fresh keeps latest/download answering with a valid file across several expiries', async () => {
    const created = await api('/v1/schedules', {
      method: 'POST',
      body: {
        name: 'fresh',
        request: { dataset: 'leads', columns: ['id', 'email'] },
        every_seconds: 86400,
        keep_fresh: true,
        first_run: 'now',
      },
    });
    const id = ((await created.json()) as { data: { id: string } }).data.id;
    await until('a first export', async () => {
      const r = await api(`/v1/schedules/${id}/latest/download`);
      return r.status === 302 ? true : null;
    });
    const seen = new Set<string>();
    const started = Date.now();
    // Exports live 3 s here; for 6 s the link must always lead to a whole, unexpired file.
    while (Date.now() - started < 6000) {
      const r = await api(`/v1/schedules/${id}/latest/download`);
      expect(r.status).toBe(302);
      const location = r.headers.get('location')!;
      seen.add(/\/files\/([^/]+)\//.exec(location)![1]!);
      const file = await fetch(location);
      expect(file.status).toBe(200);
      const text = gunzipSync(Buffer.from(await file.arrayBuffer())).toString('utf8');
      expect(text.split('\r\n')[0]).toBe('id,email');
      expect(text.trim().split('\r\n')).toHaveLength(501);
      await sleep(250);
    }
    // The export behind the link was replaced several times as each one neared its expiry.
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });
});
