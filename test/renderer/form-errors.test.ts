// Form errors as data: the real server's error envelopes for bad export requests land next to the
// field they are about (read from details.field, a schema error's path, or the value they name),
// and the form's own checks find every mistake of a draft at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../shared/schemas/datasets.ts';
import type { ExportCreate } from '../../shared/schemas/exports.ts';
import { ApiFailure } from '../../renderer/src/api.ts';
import {
  checkDatasetDraft,
  checkProviderDraft,
  datasetRequest,
  emptyDatasetDraft,
} from '../../renderer/src/export-draft.ts';
import { fieldOf, placeError, pointerToField } from '../../renderer/src/form-errors.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let leads: Dataset;
beforeAll(async () => {
  server = await makeServer({ demoRows: 100 });
  leads = (await server.call({ method: 'GET', url: '/v1/datasets/leads' })).json<{
    data: Dataset;
  }>().data;
});
afterAll(() => server.close());

/** POSTs the body to the real API and returns its error as the renderer's client would. */
async function failure(body: ExportCreate): Promise<ApiFailure> {
  const res = await server.call({ method: 'POST', url: '/v1/exports', payload: body });
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  const e = res.json<{
    error: { code: string; message: string; details: Record<string, unknown> };
  }>().error;
  return new ApiFailure(res.statusCode, e.code, e.message, e.details);
}

const place = async (body: ExportCreate) => placeError(await failure(body), body, 'shown');

describe('an API error lands next to its field, read from the error data', () => {
  it('a condition whose value does not fit its column: that condition, by index', async () => {
    const body: ExportCreate = {
      dataset: 'leads',
      filter: {
        where: [
          { column: 'state', op: 'eq', value: 'TX' },
          { column: 'score', op: 'gt', value: 'high' },
        ],
      },
    };
    const err = await failure(body);
    expect(fieldOf(err)).toBe('filter.where[1]');
    expect(placeError(err, body, 'shown')).toEqual({ sections: {}, conditions: { 1: 'shown' } });
  });

  it('schema errors carry a path: empty columns, a bad op, a relative folder', async () => {
    expect(await place({ dataset: 'leads', columns: [] })).toEqual({
      sections: { columns: 'shown' },
      conditions: {},
    });
    const badOp = {
      dataset: 'leads',
      filter: { where: [{ column: 'state', op: 'like' }] },
    } as unknown as ExportCreate;
    expect((await place(badOp)).conditions).toEqual({ 0: 'shown' });
    expect((await place({ dataset: 'leads', name: '' })).sections).toEqual({ name: 'shown' });
    expect(
      (await place({ dataset: 'leads', destination: { dir: 'relative/dir', decompress: true } }))
        .sections,
    ).toEqual({ destination: 'shown' });
  });

  it('errors that name a value: an unknown column in the list or in a condition, a time range', async () => {
    expect((await place({ dataset: 'leads', columns: ['id', 'nope'] })).sections).toEqual({
      columns: 'shown',
    });
    expect(
      (
        await place({
          dataset: 'leads',
          filter: {
            where: [
              { column: 'state', op: 'eq', value: 'TX' },
              { column: 'nope', op: 'is_null' },
            ],
          },
        })
      ).conditions,
    ).toEqual({ 1: 'shown' });
    expect(
      (
        await place({
          dataset: 'leads',
          filter: { start_time: '2026-02-01T00:00:00Z', end_time: '2026-01-01T00:00:00Z' },
        })
      ).sections,
    ).toEqual({ time: 'shown' });
  });

  it('an unknown dataset or provider goes to its picker; what names nothing goes to the form', async () => {
    expect((await place({ dataset: 'missing' })).sections).toEqual({ dataset: 'shown' });
    expect((await place({ provider: 'missing', params: {} })).sections).toEqual({
      provider: 'shown',
    });
    expect((await place({ dataset: 'leads', provider: 'x' })).sections).toEqual({ form: 'shown' });
  });

  it('JSON pointers become field paths', () => {
    expect(pointerToField('/filter/where/0/value')).toBe('filter.where[0].value');
    expect(pointerToField('/destination/dir')).toBe('destination.dir');
    expect(pointerToField('')).toBe('');
  });
});

describe("the form's own checks: every mistake at once, each by its field", () => {
  const output = { name: '', dir: 'exports', decompress: true };
  it('finds all of them in one pass', () => {
    const draft = {
      ...emptyDatasetDraft('leads'),
      columns: new Set<string>(),
      start: '2026-02-01T00:00',
      end: '2026-01-01T00:00',
      conditions: [
        { key: 1, column: 'score', op: 'gt' as const, value: 'high' },
        { key: 2, column: 'state', op: 'in' as const, value: ' , ' },
        { key: 3, column: 'email', op: 'is_null' as const, value: '' },
      ],
    };
    const found = checkDatasetDraft(draft, leads, output);
    expect(Object.keys(found.sections).sort()).toEqual(['columns', 'destination', 'time']);
    expect(found.conditions[0]).toMatch(/score/);
    expect(found.conditions[1]).toBeDefined();
    expect(found.conditions[2]).toBeUndefined();
  });

  it('a clean draft has none, and its request is accepted by the real API', async () => {
    const draft = {
      ...emptyDatasetDraft('leads'),
      conditions: [{ key: 1, column: 'score', op: 'gte' as const, value: '10' }],
    };
    const clean = { name: 'checked', dir: '', decompress: true };
    expect(checkDatasetDraft(draft, leads, clean)).toEqual({ sections: {}, conditions: {} });
    const res = await server.call({
      method: 'POST',
      url: '/v1/exports',
      payload: datasetRequest(draft, leads, clean),
    });
    expect(res.statusCode).toBe(202);
  });

  it('a provider draft: parameters must be a JSON object', () => {
    expect(checkProviderDraft('p1', '[1]', output).sections).toEqual({
      params: expect.stringMatching(/JSON object/) as string,
      destination: expect.any(String) as string,
    });
    expect(checkProviderDraft('', '{"a":1}', { ...output, dir: '' }).sections).toEqual({
      provider: 'Choose a provider.',
    });
  });
});
