// OS notifications of the desktop app, driven by a real engine: scheduled exports that complete or
// fail notify (unless Settings turns it off); ad-hoc exports never do.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import { watchScheduledExports, type Notice } from '../../electron/main/notifications.ts';
import { tempDir } from '../helpers/context.ts';
import { createExport, waitFinal } from '../helpers/exports.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { startVendorFake, type VendorFake } from '../fixtures/vendors/vendor-fake.ts';

let s: TestServer;
let dest: string;
let fake: VendorFake | undefined;
let shown: Notice[];
let stop: () => void;

beforeEach(async () => {
  s = await makeServer({
    demoRows: 500,
    exportsTestSeams: { progressMs: 0 },
    providersTestSeams: {
      http: { minDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 20, headersTimeoutMs: 2_000 },
      runner: { pollMinMs: 5, pollMaxMs: 20, recreateBackoffMs: 5 },
    },
  });
  dest = tempDir('em-notify-');
  shown = [];
  stop = watchScheduledExports(
    s.engine.ctx.events,
    () => s.engine.settings.get().notifications,
    (n) => shown.push(n),
  );
});
afterEach(async () => {
  stop();
  await fake?.stop();
  fake = undefined;
  await s.close();
  rmSync(dest, { recursive: true, force: true });
});

async function schedule(request: Record<string, unknown>) {
  const res = await s.call({
    method: 'POST',
    url: '/v1/schedules',
    payload: {
      name: 'Nightly leads',
      request,
      every_seconds: 86_400,
      enabled: false,
      destination: { dir: dest, decompress: true },
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data.id as string;
}

/** Runs the schedule now; resolves with the id of the export the run started. */
async function runNow(id: string): Promise<string> {
  const res = await s.call({ method: 'POST', url: `/v1/schedules/${id}/run` });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().data.running_export_id as string;
}

async function until(check: () => boolean) {
  await vi.waitFor(() => expect(check()).toBe(true), { timeout: 10_000, interval: 25 });
}

describe('desktop notifications', () => {
  it('a scheduled export that completes notifies once, with where it was saved and what changed', async () => {
    const id = await schedule({ dataset: 'leads', columns: ['id', 'email'] });
    await runNow(id);
    await until(() => shown.length > 0);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.title).toBe('Export ready: Nightly leads');
    expect(shown[0]!.body).toBe(`500 rows. Saved to ${dest}/nightly-leads.csv`);
    expect(shown[0]!.route).toMatch(/^#\/exports\//);
    // The second run says what changed since the first (the demo data does not change).
    await runNow(id);
    await until(() => shown.length > 1);
    expect(shown).toHaveLength(2);
    expect(shown[1]!.body).toBe(`500 rows; +0 −0 ~0 since #1. Saved to ${dest}/nightly-leads.csv`);
  });

  it('an ad-hoc export never notifies', async () => {
    const res = await createExport(s, { dataset: 'leads' });
    const exp = await waitFinal(s, res.json().data.id);
    expect(exp.status).toBe('completed');
    expect(shown).toEqual([]);
  });

  it('turning notifications off in Settings silences them at once', async () => {
    const off = await s.call({
      method: 'PATCH',
      url: '/v1/settings',
      payload: { notifications: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    const id = await schedule({ dataset: 'leads' });
    const exp = await waitFinal(s, await runNow(id));
    expect(exp.status).toBe('completed');
    expect(exp.schedule_id).toBe(id);
    expect(shown).toEqual([]);
  });

  it('a scheduled vendor export that fails notifies with the reason', async () => {
    fake = await startVendorFake({ vendor: 'datadriver', scenario: 'unauthorized', token: 't' });
    const p = await s.call({
      method: 'POST',
      url: '/v1/providers',
      payload: { name: 'DD', type: 'datadriver', base_url: fake.url, credential: 'wrong' },
    });
    expect(p.statusCode, p.body).toBe(201);
    const id = await schedule({ provider: p.json().data.id, params: {} });
    await runNow(id);
    await until(() => shown.length > 0);
    expect(shown[0]!.title).toBe('Scheduled export failed: Nightly leads');
    expect(shown[0]!.body.length).toBeGreaterThan(10);
    expect(shown[0]!.route).toBe(`#/schedules/${id}`);
  });
});
