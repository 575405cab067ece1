import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { createExport, fetchLink, gunzipText, waitFinal } from '../helpers/exports.ts';
import { tempDir } from '../helpers/context.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

let s: TestServer;
// Real time, which a test can move ahead (advance) instead of sleeping.
let clock: FakeClock;
beforeEach(async () => {
  clock = FakeClock.realTimers();
  s = await makeServer({ demoRows: 3000, exportsTestSeams: { progressMs: 0 }, clock });
});
afterEach(async () => s.close());

async function complete(body: Record<string, unknown>) {
  const res = await createExport(s, body);
  expect(res.statusCode, res.body).toBe(202);
  return waitFinal(s, res.json().data.id);
}

async function csvRows(exp: { download_url: string | null }) {
  const file = await fetchLink(s, exp.download_url!);
  expect(file.statusCode).toBe(200);
  return parse(gunzipText(file.rawPayload), { columns: true }) as Record<string, string>[];
}

describe('local exports through the API', () => {
  it('exports a filtered dataset: the file gunzips to exactly the matching rows, with its recorded sha256', async () => {
    const exp = await complete({
      dataset: 'leads',
      filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
      name: 'texas leads',
    });
    expect(exp.status).toBe('completed');
    expect(exp.files[0]!.filename).toBe('texas-leads.csv.gz');
    const rows = await csvRows(exp);
    expect(rows.length).toBe(exp.row_count);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.state === 'TX')).toBe(true);
    const bytes = (await fetchLink(s, exp.download_url!)).rawPayload;
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(exp.files[0]!.sha256);
    expect(bytes.length).toBe(exp.byte_size);
    expect(exp.history.map((h) => h.status)).toEqual(['pending', 'processing', 'completed']);
    expect(Date.parse(exp.expires_at!) - Date.parse(exp.completed_at!)).toBe(604800 * 1000);
  });

  it('supports every where op, time ranges and column selection', async () => {
    const all = await csvRows(await complete({ dataset: 'leads' }));
    expect(all.length).toBe(3000);
    const sample = all[10]!;
    const cases: [Record<string, unknown>, (r: Record<string, string>) => boolean][] = [
      [{ column: 'state', op: 'neq', value: 'CA' }, (r) => r.state !== 'CA'],
      [
        { column: 'state', op: 'in', value: ['TX', 'CA'] },
        (r) => r.state === 'TX' || r.state === 'CA',
      ],
      [{ column: 'score', op: 'gt', value: 50 }, (r) => Number(r.score) > 50],
      [{ column: 'score', op: 'gte', value: 50 }, (r) => Number(r.score) >= 50],
      [{ column: 'revenue', op: 'lt', value: 1000 }, (r) => Number(r.revenue) < 1000],
      [{ column: 'revenue', op: 'lte', value: 1000 }, (r) => Number(r.revenue) <= 1000],
      [
        { column: 'email', op: 'contains', value: '.example' },
        (r) => r.email!.includes('.example'),
      ],
      [{ column: 'id', op: 'eq', value: Number(sample.id) }, (r) => r.id === sample.id],
      [{ column: 'state', op: 'in', value: 'TX' }, (r) => r.state === 'TX'],
      [{ column: 'state', op: 'not_in', value: ['TX'] }, (r) => r.state !== 'TX'],
      [
        {
          column: 'email',
          op: 'starts_with',
          value: sample.email!.slice(0, 3).toUpperCase(),
          case_insensitive: true,
        },
        (r) => r.email!.toLowerCase().startsWith(sample.email!.slice(0, 3).toLowerCase()),
      ],
    ];
    for (const [where, pred] of cases) {
      const exp = await complete({ dataset: 'leads', filter: { where: [where] } });
      const rows = await csvRows(exp);
      expect(rows.length, JSON.stringify(where)).toBe(all.filter(pred).length);
    }
    const start = all[100]!.created_at!;
    const end = all[200]!.created_at!;
    const ranged = await csvRows(
      await complete({
        dataset: 'leads',
        filter: { start_time: start, end_time: end },
        columns: ['created_at', 'id'],
      }),
    );
    expect(Object.keys(ranged[0]!)).toEqual(['created_at', 'id']);
    expect(ranged.length).toBe(
      all.filter((r) => r.created_at! >= start && r.created_at! < end).length,
    );
  });

  it('writes jsonl and uncompressed files with the right content type, never Content-Encoding', async () => {
    const exp = await complete({
      dataset: 'leads',
      format: 'jsonl',
      compression: 'none',
      columns: ['id', 'score'],
    });
    const file = await fetchLink(s, exp.download_url!);
    expect(file.headers['content-type']).toBe('application/x-ndjson');
    expect(file.headers['content-encoding']).toBeUndefined();
    const lines = file.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; score: number });
    expect(lines.length).toBe(3000);
    expect(typeof lines[0]!.id).toBe('number');
    const gz = await complete({ dataset: 'leads', columns: ['id'] });
    expect((await fetchLink(s, gz.download_url!)).headers['content-type']).toBe('application/gzip');
  });

  it('names the unknown dataset, column or op in a 400', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ dataset: 'nope' }, /nope/],
      [{ dataset: 'leads', columns: ['id', 'ghost'] }, /ghost/],
      [{ dataset: 'leads', filter: { where: [{ column: 'ghost', op: 'eq', value: 1 }] } }, /ghost/],
      [
        { dataset: 'leads', filter: { where: [{ column: 'state', op: 'like', value: 'T%' }] } },
        /like/,
      ],
      [
        {
          dataset: 'leads',
          filter: { where: [{ column: 'state"; DROP TABLE data; --', op: 'eq', value: 1 }] },
        },
        /DROP TABLE/,
      ],
      [{ dataset: 'leads', provider: 'x' }, /exactly one/],
      [{}, /exactly one/],
      [{ dataset: 'leads', format: 'xml' }, /format/],
      [
        { dataset: 'leads', filter: { where: [{ column: 'score', op: 'eq', value: '50' }] } },
        /where\[0\] \("score" eq\): value "50" is a string/,
      ],
      [
        { dataset: 'leads', filter: { where: [{ column: 'state', op: 'eq', value: ['TX'] }] } },
        /not an array/,
      ],
      [
        { dataset: 'leads', filter: { where: [{ column: 'state', op: 'eq', value: null }] } },
        /is_null/,
      ],
      [{ dataset: 'leads', compression_level: '6' }, /compression_level must be integer/],
      [{ dataset: 'leads', destination: { dir: 'relative/dir' } }, /absolute/],
    ];
    for (const [body, msg] of cases) {
      const res = await createExport(s, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('INVALID_REQUEST');
      expect(res.json().error.message).toMatch(msg);
    }
    // An injection attempt in a value is just a value.
    const exp = await complete({
      dataset: 'leads',
      filter: { where: [{ column: 'state', op: 'eq', value: "TX' OR '1'='1" }] },
    });
    expect(exp.row_count).toBe(0);
    expect((await complete({ dataset: 'leads' })).row_count).toBe(3000);
  });

  it('honours Idempotency-Key: same body returns the first answer and creates nothing; another body is 422', async () => {
    const body = { dataset: 'leads', columns: ['id'], name: 'once' };
    const a = await createExport(s, body, { 'idempotency-key': 'k-1' });
    const b = await createExport(
      s,
      { name: 'once', columns: ['id'], dataset: 'leads' },
      { 'idempotency-key': 'k-1' },
    );
    expect(b.statusCode).toBe(202);
    expect(b.json().data).toEqual(a.json().data);
    const c = await createExport(s, { ...body, name: 'twice' }, { 'idempotency-key': 'k-1' });
    expect(c.statusCode).toBe(422);
    expect(c.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const listed = await s.call({ url: '/v1/exports?limit=100' });
    expect(listed.json().data.filter((e: { name: string }) => e.name === 'once')).toHaveLength(1);
  });

  it('fails with QUERY_TOO_BROAD above the configured maximum, and its download answers 409 EXPORT_FAILED', async () => {
    const t = await makeServer({
      demoRows: 300,
      maxRows: 100,
      exportsTestSeams: { progressMs: 0 },
    });
    try {
      const res = await createExport(t, { dataset: 'leads' });
      const exp = await waitFinal(t, res.json().data.id);
      expect(exp.status).toBe('failed');
      expect(exp.error?.code).toBe('QUERY_TOO_BROAD');
      const dl = await t.call({ url: `/v1/exports/${exp.id}/download` });
      expect(dl.statusCode).toBe(409);
      expect(dl.json().error.code).toBe('EXPORT_FAILED');
    } finally {
      await t.close();
    }
  });

  it('answers download with 302, 404 unknown, 400 malformed, 409 not ready', async () => {
    const exp = await complete({ dataset: 'leads', columns: ['id'] });
    const dl = await s.call({ url: `/v1/exports/${exp.id}/download` });
    expect(dl.statusCode).toBe(302);
    expect(dl.headers.location).toMatch(new RegExp(`^http://127.0.0.1:8787/files/${exp.id}/`));
    expect(
      (await s.call({ url: '/v1/exports/01930000-0000-7000-8000-000000000009/download' }))
        .statusCode,
    ).toBe(404);
    const bad = await s.call({ url: '/v1/exports/not-an-id/download' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_REQUEST');
    const pending = (await createExport(s, { dataset: 'leads' })).json().data;
    const notReady = await s.call({ url: `/v1/exports/${pending.id}/download` });
    if (notReady.statusCode !== 302) {
      expect(notReady.statusCode).toBe(409);
      expect(notReady.json().error.code).toBe('EXPORT_NOT_READY');
    }
    await waitFinal(s, pending.id);
  });

  it('mints a fresh link on every read, capped at expires_at', async () => {
    const exp = await complete({ dataset: 'leads', columns: ['id'] });
    s.engine.ctx.config.urlTtlSeconds = 1;
    const read = async () => (await s.call({ url: `/v1/exports/${exp.id}` })).json().data;
    const first = await read();
    clock.advance(1100);
    const again = await read();
    expect(first.download_url).not.toBe(exp.download_url);
    expect(again.download_url).not.toBe(first.download_url);
    expect(Date.parse(again.url_expires_at)).toBeGreaterThan(Date.parse(first.url_expires_at));
    expect(Date.parse(again.url_expires_at)).toBeLessThanOrEqual(Date.parse(again.expires_at));
  });

  it('cancels, recreates (recreated_from) and deletes (record and files)', async () => {
    const done = await complete({ dataset: 'leads', columns: ['id'], name: 'base' });
    const re = await s.call({ method: 'POST', url: `/v1/exports/${done.id}/recreate` });
    expect(re.statusCode).toBe(202);
    const copy = await waitFinal(s, re.json().data.id);
    expect(copy.recreated_from).toBe(done.id);
    expect(copy.name).toBe('base');
    expect(copy.files[0]!.sha256).toBe(done.files[0]!.sha256);

    const dir = join(s.dataDir, 'files', done.id);
    expect(existsSync(dir)).toBe(true);
    expect((await s.call({ method: 'DELETE', url: `/v1/exports/${done.id}` })).statusCode).toBe(
      204,
    );
    expect(existsSync(dir)).toBe(false);
    expect((await s.call({ url: `/v1/exports/${done.id}` })).statusCode).toBe(404);
    expect((await fetchLink(s, done.download_url!)).statusCode).toBe(410);

    const created = (await createExport(s, { dataset: 'leads' })).json().data;
    const canceled = await s.call({ method: 'POST', url: `/v1/exports/${created.id}/cancel` });
    if (canceled.statusCode === 200) {
      expect(canceled.json().data.status).toBe('canceled');
      expect(readdirSync(join(s.dataDir, 'files')).filter((f) => f === created.id)).toEqual([]);
    } else {
      expect(canceled.json().error.code).toBe('CONFLICT'); // it finished first
    }
  });

  it('lists newest first with cursor pagination and status/source filters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await complete({ dataset: 'leads', columns: ['id'], name: `n${i}` })).id);
    const page1 = (await s.call({ url: '/v1/exports?limit=2' })).json();
    expect(page1.data.map((e: { id: string }) => e.id)).toEqual([ids[4], ids[3]]);
    const page2 = (
      await s.call({ url: `/v1/exports?limit=2&cursor=${page1.meta.next_cursor}` })
    ).json();
    expect(page2.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    const page3 = (
      await s.call({ url: `/v1/exports?limit=2&cursor=${page2.meta.next_cursor}` })
    ).json();
    expect(page3.data.map((e: { id: string }) => e.id)).toEqual([ids[0]]);
    expect(page3.meta.next_cursor).toBeNull();
    expect((await s.call({ url: '/v1/exports?status=failed' })).json().data).toEqual([]);
    expect((await s.call({ url: '/v1/exports?source=leads' })).json().data).toHaveLength(5);
    expect((await s.call({ url: '/v1/exports?source=provider' })).json().data).toHaveLength(0);
    expect((await s.call({ url: '/v1/exports?cursor=garbage' })).statusCode).toBe(400);
  });

  it('saves a decompressed copy in the destination under a name that never overwrites', async () => {
    const dir = tempDir();
    const a = await complete({
      dataset: 'leads',
      columns: ['id'],
      name: 'daily',
      destination: { dir, decompress: true },
    });
    const b = await complete({
      dataset: 'leads',
      columns: ['id'],
      name: 'daily',
      destination: { dir, decompress: true },
    });
    expect(a.destination?.saved_paths).toEqual([join(dir, 'daily.csv')]);
    expect(b.destination?.saved_paths).toEqual([join(dir, 'daily (2).csv')]);
    const text = readFileSync(join(dir, 'daily.csv'), 'utf8');
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(3001);
    expect(readdirSync(dir).sort()).toEqual(['daily (2).csv', 'daily.csv']);
  });

  it('sends export.updated and export.completed on the bus', async () => {
    const seen: string[] = [];
    s.engine.ctx.events.onAny((name) => seen.push(name));
    await complete({ dataset: 'leads', columns: ['id'] });
    expect(seen).toContain('export.updated');
    expect(seen).toContain('export.completed');
  });
});
