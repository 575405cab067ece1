import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { fetchLink, gunzipText } from '../helpers/exports.ts';
import { tempDir } from '../helpers/context.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

let s: TestServer;
let clock: FakeClock;
const dirs: string[] = [];
beforeEach(async () => {
  clock = new FakeClock('2026-03-07T12:00:00Z');
  s = await makeServer({ demoRows: 300, clock, exportsTestSeams: { progressMs: 0 } });
});
afterEach(async () => {
  await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const post = (url: string, payload?: Record<string, unknown>) =>
  s.call({ method: 'POST', url, ...(payload === undefined ? {} : { payload }) });

async function untilIdle(id: string) {
  return vi.waitFor(
    async () => {
      const sch = (await s.call({ url: `/v1/schedules/${id}` })).json().data;
      if (sch.running_export_id !== null) throw new Error('run did not finish');
      return sch;
    },
    { timeout: 15_000, interval: 20 },
  );
}

describe('/v1/schedules', () => {
  it('creates, reads, lists, patches and deletes a schedule in the documented shape', async () => {
    const created = await post('/v1/schedules', {
      name: 'weekday mornings',
      request: { dataset: 'leads', format: 'csv' },
      cron: '0 9 * * 1-5',
      timezone: 'America/New_York',
      retain: 3,
    });
    expect(created.statusCode, created.body).toBe(201);
    const sch = created.json().data;
    expect(sch).toMatchObject({
      name: 'weekday mornings',
      request: { dataset: 'leads', format: 'csv' },
      cron: '0 9 * * 1-5',
      timezone: 'America/New_York',
      every_seconds: null,
      keep_fresh: false,
      keep_fresh_margin_seconds: 3600,
      retain: 3,
      destination: null,
      filename_template: null,
      enabled: true,
      // Saturday noon in UTC: next is Monday 9:00 EDT (DST began on Sunday the 8th).
      next_run_at: '2026-03-09T13:00:00.000Z',
      last_run_at: null,
      latest_export: null,
      last_error: null,
      consecutive_failures: 0,
      running_export_id: null,
    });
    expect((await s.call({ url: `/v1/schedules/${sch.id}` })).json().data.id).toBe(sch.id);
    const listed = (await s.call({ url: '/v1/schedules' })).json();
    expect(listed.data.map((x: { id: string }) => x.id)).toEqual([sch.id]);
    expect(listed.meta.next_cursor).toBeNull();

    const patched = await s.call({
      method: 'PATCH',
      url: `/v1/schedules/${sch.id}`,
      payload: { every_seconds: 3600, enabled: false },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().data).toMatchObject({
      cron: null,
      every_seconds: 3600,
      next_run_at: null,
    });

    expect((await s.call({ method: 'DELETE', url: `/v1/schedules/${sch.id}` })).statusCode).toBe(
      204,
    );
    const gone = await s.call({ url: `/v1/schedules/${sch.id}` });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('NOT_FOUND');
  });

  it('answers 400 INVALID_REQUEST naming the field for bad schedules', async () => {
    const base = { name: 'x', request: { dataset: 'leads' } };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, cron: '0 25 * * *' }, /cron "0 25 \* \* \*" is invalid/],
      [{ ...base, cron: '0 9 * * *', timezone: 'Nowhere/Town' }, /timezone "Nowhere\/Town"/],
      [{ ...base, cron: '0 9 * * *', every_seconds: 60 }, /not both/],
      [base, /"cron" .* or "every_seconds"/],
      [{ name: 'x', request: {}, every_seconds: 60 }, /request needs a "dataset"/],
      [{ ...base, request: { dataset: 'nope' }, every_seconds: 60 }, /unknown dataset "nope"/],
      [{ ...base, every_seconds: 0 }, /every_seconds/],
      [{ ...base, every_seconds: 60, colour: 'red' }, /unknown field "colour"/],
    ];
    for (const [payload, msg] of cases) {
      const res = await post('/v1/schedules', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('INVALID_REQUEST');
      expect(res.json().error.message).toMatch(msg);
    }
    expect((await s.call({ url: '/v1/schedules/not-an-id' })).statusCode).toBe(400);
  });

  it('runs now into a destination named from the template, and latest/download redirects to it', async () => {
    const dest = tempDir('em-sched-dest-');
    dirs.push(dest);
    const sch = (
      await post('/v1/schedules', {
        name: 'tx',
        request: {
          dataset: 'leads',
          filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
        },
        every_seconds: 86400,
        timezone: 'America/New_York',
        destination: { dir: dest, decompress: false },
        filename_template: '{schedule}_{date}_{time}_{n}',
      })
    ).json().data;
    expect((await s.call({ url: `/v1/schedules/${sch.id}/latest/download` })).statusCode).toBe(404);
    const ran = await post(`/v1/schedules/${sch.id}/run`);
    expect(ran.statusCode, ran.body).toBe(202);
    expect(ran.json().data.running_export_id).toMatch(/^[0-9a-f-]{36}$/);
    const after = await untilIdle(sch.id);
    expect(after.latest_export.status).toBe('completed');
    expect(after.latest_export.schedule_id).toBe(sch.id);
    expect(after.last_run_at).toBe('2026-03-07T12:00:00.000Z');
    await s.engine.schedules.idle();
    expect(readdirSync(dest).sort()).toEqual([
      'tx_2026-03-07_07-00-00_1.1.csv.gz',
      'tx_2026-03-07_07-00-00_1.csv.gz',
    ]);
    const runs = await s.call({ url: `/v1/schedules/${sch.id}/runs?limit=1` });
    expect(runs.statusCode, runs.body).toBe(200);
    expect(runs.json().data).toMatchObject([
      {
        number: 1,
        trigger: 'run_now',
        status: 'completed',
        export_id: after.latest_export.id,
        saved_path: join(dest, 'tx_2026-03-07_07-00-00_1.1.csv.gz'),
        stable_path: join(dest, 'tx_2026-03-07_07-00-00_1.csv.gz'),
        file_removed: null,
        changes: null,
      },
    ]);

    const redirect = await s.call({ url: `/v1/schedules/${sch.id}/latest/download` });
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toContain(`/files/${after.latest_export.id}/`);
    const file = await fetchLink(s, String(redirect.headers.location));
    expect(file.statusCode).toBe(200);
    const lines = gunzipText(file.rawPayload).trim().split('\n');
    expect(lines.length - 1).toBe(after.latest_export.row_count);
  });

  it('previews the next runs in words (an extension for the UI)', async () => {
    const res = await s.call({
      url: '/v1/schedules/preview?cron=30%202%20*%20*%20*&timezone=America/New_York&count=2',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual({
      timezone: 'America/New_York',
      description: 'On the cron schedule "30 2 * * *", America/New_York time',
      runs: [
        { at: '2026-03-08T07:00:00.000Z', local: 'Sun, Mar 8, 2026, 3:00 AM EDT' },
        { at: '2026-03-09T06:30:00.000Z', local: 'Mon, Mar 9, 2026, 2:30 AM EDT' },
      ],
    });
    const every = await s.call({ url: '/v1/schedules/preview?every_seconds=7200&timezone=UTC' });
    expect(every.json().data.runs[0].at).toBe('2026-03-07T14:00:00.000Z');
    expect(every.json().data.description).toMatch(/^Every 2 hours/);
    const bad = await s.call({ url: '/v1/schedules/preview?cron=nope' });
    expect(bad.statusCode).toBe(400);
  });

  it('is in the OpenAPI document and needs the key', async () => {
    const doc = (await s.call({ url: '/v1/openapi.json', key: null })).json();
    for (const p of [
      '/v1/schedules',
      '/v1/schedules/{id}',
      '/v1/schedules/{id}/run',
      '/v1/schedules/{id}/latest/download',
      '/v1/schedules/preview',
    ])
      expect(doc.paths[p], p).toBeDefined();
    expect((await s.call({ url: '/v1/schedules', key: null })).statusCode).toBe(401);
  });
});
