// What changed between two runs, through the API: counts in the run, rows in a CSV to download.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/context.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { CsvParser } from '../../electron/engine/datasets/csv-parser.ts';

let s: TestServer;
const dirs: string[] = [];
beforeEach(async () => {
  s = await makeServer({
    demoRows: 300,
    clock: new FakeClock('2026-03-07T12:00:00Z'),
    exportsTestSeams: { progressMs: 0 },
  });
});
afterEach(async () => {
  await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function runAndWait(id: string) {
  const ran = await s.call({ method: 'POST', url: `/v1/schedules/${id}/run` });
  expect(ran.statusCode, ran.body).toBe(202);
  await expect
    .poll(
      async () => (await s.call({ url: `/v1/schedules/${id}` })).json().data.running_export_id,
      { timeout: 15_000, interval: 20 },
    )
    .toBeNull();
  await s.engine.schedules.idle();
}

it('counts the rows added, removed and changed since the previous run, and serves them', async () => {
  const dest = tempDir('em-changes-dest-');
  dirs.push(dest);
  const tx = { where: [{ column: 'state', op: 'eq', value: 'TX' }] };
  const created = await s.call({
    method: 'POST',
    url: '/v1/schedules',
    payload: {
      name: 'leads',
      request: { dataset: 'leads', filter: tx },
      every_seconds: 86400,
      destination: { dir: dest, decompress: true },
    },
  });
  const id = created.json().data.id as string;
  await runAndWait(id);
  const first = (await s.call({ url: `/v1/schedules/${id}/runs` })).json().data[0];
  expect(first.changes).toBeNull();
  expect((await s.call({ url: `/v1/schedules/${id}/runs/1/changes` })).statusCode).toBe(404);

  // The second run drops the filter: every row outside Texas is new, none removed or changed.
  const patched = await s.call({
    method: 'PATCH',
    url: `/v1/schedules/${id}`,
    payload: { request: { dataset: 'leads' } },
  });
  expect(patched.statusCode, patched.body).toBe(200);
  await runAndWait(id);
  const [second] = (await s.call({ url: `/v1/schedules/${id}/runs` })).json().data;
  const texas = first.rows as number;
  expect(second.rows).toBe(300);
  expect(second.changes).toEqual({
    added: 300 - texas,
    removed: 0,
    changed: 0,
    key: 'id',
    file: `/v1/schedules/${id}/runs/2/changes`,
    since: 1,
    reason: null,
  });

  const res = await s.call({ url: second.changes.file });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/csv/);
  const records: string[][] = [];
  const parser = new CsvParser((f) => records.push(f));
  parser.push(res.body);
  parser.end();
  expect(records[0]).toEqual(['change', 'key', 'old', 'new']);
  expect(records).toHaveLength(1 + 300 - texas);
  for (const [change, key, old, row] of records.slice(1)) {
    expect(change).toBe('added');
    expect(old).toBe('');
    const parsed = JSON.parse(row!) as { id: string; state: string };
    expect(parsed.id).toBe(key);
    expect(parsed.state).not.toBe('TX');
  }

  // Back to Texas only: those rows are removed this time.
  await s.call({
    method: 'PATCH',
    url: `/v1/schedules/${id}`,
    payload: { request: { dataset: 'leads', filter: tx } },
  });
  await runAndWait(id);
  const [third] = (await s.call({ url: `/v1/schedules/${id}/runs` })).json().data;
  expect(third.changes).toMatchObject({ added: 0, removed: 300 - texas, changed: 0 });
});

it('matches rows by the key column the user picks, refused with the field named when unknown', async () => {
  const bad = await s.call({
    method: 'POST',
    url: '/v1/schedules',
    payload: {
      name: 'leads',
      request: { dataset: 'leads', columns: ['id', 'email', 'state'] },
      every_seconds: 86400,
      changes_key: 'company',
    },
  });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().error).toMatchObject({
    code: 'INVALID_REQUEST',
    details: { field: 'changes_key', column: 'company' },
  });
  expect(bad.json().error.message).toMatch(/id, email, state/);

  const created = await s.call({
    method: 'POST',
    url: '/v1/schedules',
    payload: {
      name: 'leads',
      request: { dataset: 'leads', columns: ['id', 'email', 'state'] },
      every_seconds: 86400,
      changes_key: 'email',
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().data.id as string;
  expect(created.json().data.changes_key).toBe('email');
  await runAndWait(id);
  await runAndWait(id);
  // No folder: the stored export files are compared.
  const [second] = (await s.call({ url: `/v1/schedules/${id}/runs` })).json().data;
  expect(second.saved_path).toBeNull();
  expect(second.changes).toMatchObject({
    added: 0,
    removed: 0,
    changed: 0,
    key: 'email',
    since: 1,
  });

  // Keyed by state after dropping email: the n-th row of a state pairs with the n-th of that
  // state, and every row lost its email.
  const patched = await s.call({
    method: 'PATCH',
    url: `/v1/schedules/${id}`,
    payload: { changes_key: 'state', request: { dataset: 'leads', columns: ['id', 'state'] } },
  });
  expect(patched.statusCode, patched.body).toBe(200);
  expect(patched.json().data.changes_key).toBe('state');
  await runAndWait(id);
  const [third] = (await s.call({ url: `/v1/schedules/${id}/runs` })).json().data;
  expect(third.changes).toMatchObject({ added: 0, removed: 0, changed: 300, key: 'state' });

  const unknown = await s.call({
    method: 'PATCH',
    url: `/v1/schedules/${id}`,
    payload: { changes_key: 'email' },
  });
  expect(unknown.statusCode).toBe(400);
  expect(unknown.json().error.details.field).toBe('changes_key');
});

it('without a folder compares the stored files, and says so when the previous file is gone', async () => {
  const created = await s.call({
    method: 'POST',
    url: '/v1/schedules',
    payload: { name: 'leads', request: { dataset: 'leads' }, every_seconds: 86400 },
  });
  const id = created.json().data.id as string;
  await runAndWait(id);
  const [first] = (await s.call({ url: `/v1/schedules/${id}/runs` })).json().data;
  // The previous run's export deleted by hand: nothing to compare with, and the run says why.
  const del = await s.call({ method: 'DELETE', url: `/v1/exports/${first.export_id}` });
  expect(del.statusCode).toBeLessThan(300);
  await runAndWait(id);
  const [second] = (await s.call({ url: `/v1/schedules/${id}/runs` })).json().data;
  expect(second.status).toBe('completed');
  expect(second.changes).toMatchObject({ added: null, removed: null, changed: null, since: 1 });
  expect(second.changes.reason).toMatch(/run #1's file is gone/);
  const file = await s.call({ url: `/v1/schedules/${id}/runs/2/changes` });
  expect(file.statusCode).toBe(404);
  await runAndWait(id);
  const [third] = (await s.call({ url: `/v1/schedules/${id}/runs` })).json().data;
  expect(third.changes).toMatchObject({ added: 0, removed: 0, changed: 0, since: 2, reason: null });
});
