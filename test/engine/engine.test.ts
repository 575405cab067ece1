import { afterEach, describe, expect, it } from 'vitest';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { createExport, waitFinal } from '../helpers/exports.ts';

let s: TestServer;
afterEach(async () => s?.close());

describe('the engine wiring', () => {
  it('a dataset imports a completed export, and refuses one that is not completed', async () => {
    s = await makeServer({ demoRows: 300 });
    const res = await createExport(s, {
      dataset: 'leads',
      columns: ['id', 'state'],
      filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
    });
    const exp = await waitFinal(s, res.json().data.id);
    expect(exp.status).toBe('completed');
    const created = await s.call({
      method: 'POST',
      url: '/v1/datasets',
      payload: { name: 'texas', export_id: exp.id },
    });
    expect(created.statusCode, created.body).toBe(202);
    await expect
      .poll(async () => (await s.call({ url: '/v1/datasets/texas' })).json().data.status, {
        timeout: 15_000,
      })
      .toBe('ready');
    const texas = (await s.call({ url: '/v1/datasets/texas' })).json().data;
    expect(texas.row_count).toBe(exp.row_count);
    expect(texas.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'state']);

    const pending = await createExport(s, { dataset: 'leads' });
    const id = pending.json().data.id as string;
    await s.call({ method: 'POST', url: `/v1/exports/${id}/cancel` });
    const refused = await s.call({
      method: 'POST',
      url: '/v1/datasets',
      payload: { name: 'nope', export_id: id },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/not a completed export/);
  });
});
