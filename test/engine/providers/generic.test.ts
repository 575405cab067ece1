import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { builtInConfigs } from '../../../electron/engine/providers/adapters/index.ts';
import { createGenericAdapter } from '../../../electron/engine/providers/adapters/generic.ts';
import { parseGenericConfig } from '../../../electron/engine/providers/adapters/generic-config.ts';
import type { HttpClient, JsonResponse } from '../../../electron/engine/providers/http-client.ts';
import { acmeConfig, startAcmeFake } from '../../fixtures/vendors/acme-fake.ts';
import { startVendorFake, type VendorFake } from '../../fixtures/vendors/vendor-fake.ts';
import { seed, type VendorKind } from '../../fixtures/vendors/vendor-views.ts';
import { makeRig, type Rig } from './helpers.ts';

let rig: Rig;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await rig?.close();
});

describe('the generic adapter, against a vendor it has no code for', () => {
  it('creates, follows progress given as a fraction, and downloads every listed part', async () => {
    rig = makeRig();
    const acme = await startAcmeFake({ now: () => rig.ctx.clock.now() });
    stops.push(acme.stop);
    const id = rig.addProvider({
      name: 'Acme Data',
      type: 'generic',
      base_url: acme.url,
      credential: acme.token,
      options: { config: acmeConfig },
    });
    const res = await rig.run(id, { query: 'everything' });
    expect(res.error, res.error?.message).toBeUndefined();
    const job = [...acme.jobs.values()][0]!;
    expect(res.files!.map((f) => [f.filename, f.rowCount])).toEqual([
      ['acme-0.csv.gz', 25],
      ['acme-1.csv.gz', 26],
      ['acme-2.csv.gz', 27],
    ]);
    res.files!.forEach((f, i) =>
      expect(gunzipSync(readFileSync(join(res.exportDir, f.filename))).toString()).toBe(
        job.parts[i]!.csv,
      ),
    );
    // 0.4 of the vendor's work is 40 %, shown as the first half of our bar.
    expect(res.progress).toContainEqual(expect.objectContaining({ pct: 20, stage: 'crunching' }));
  });

  it('maps a failed job to PROVIDER_EXPORT_FAILED with the vendor code and message', async () => {
    rig = makeRig();
    const acme = await startAcmeFake();
    stops.push(acme.stop);
    const id = rig.addProvider({
      name: 'Acme Data',
      type: 'generic',
      base_url: acme.url,
      credential: acme.token,
      options: { config: acmeConfig },
    });
    const res = await rig.run(id, { fail: true });
    expect(res.error?.code).toBe('PROVIDER_EXPORT_FAILED');
    expect(res.error?.message).toContain('Acme Data could not produce the export: Result too big');
    expect(res.error?.details).toMatchObject({ vendor_code: 'TOO_BIG' });
  });
});

describe.each(['datadriver', 'hookbridge', 'dealmachine', 'dynamic'] as const)(
  '%s as a generic config',
  (vendor: Exclude<VendorKind, 'generic'>) => {
    it('behaves exactly like the built-in adapter: same requests, same files', async () => {
      rig = makeRig();
      const outcomes = [];
      for (const asGeneric of [false, true]) {
        const fake: VendorFake = await startVendorFake({
          vendor,
          clock: rig.ctx.clock,
          scenario: vendor === 'dealmachine' ? 'two-files' : 'cut-halfway',
        });
        stops.push(fake.stop);
        const envOpt = vendor === 'dynamic' ? { environment_id: fake.environmentId } : {};
        const id = rig.addProvider({
          name: 'Same vendor',
          type: asGeneric ? 'generic' : vendor,
          base_url: fake.url,
          credential: fake.token,
          options: asGeneric
            ? { ...envOpt, config: JSON.parse(JSON.stringify(builtInConfigs[vendor])) }
            : envOpt,
        });
        const res = await rig.run(id, { type: 'people' }, { name: 'same export' });
        expect(res.error, res.error?.message).toBeUndefined();
        const ids = [...fake.state.exports.keys()];
        outcomes.push({
          requests: fake.state.requests.map(
            (r) =>
              `${r.host} ${r.method} ${ids.reduce((p, x) => p.replaceAll(x, 'ID'), r.path.split('?')[0]!)} ${r.range ?? ''}`,
          ),
          files: res.files!.map((f) => [f.filename.replace(ids[0]!, 'ID'), f.rowCount, f.byteSize]),
          csv: res.files!.map((f) =>
            gunzipSync(readFileSync(join(res.exportDir, f.filename))).toString(),
          ),
        });
        expect(outcomes.at(-1)!.csv).toEqual(fake.state.csvOf(ids[0]!));
      }
      expect(outcomes[1]!.requests).toEqual(outcomes[0]!.requests);
      expect(outcomes[1]!.files.map((f) => f[1])).toEqual(outcomes[0]!.files.map((f) => f[1]));
    });
  },
);

/** An HttpClient that answers every JSON call with one canned response. */
function canned(status: number, body: unknown): HttpClient {
  const res: JsonResponse = { status, headers: {}, url: 'http://vendor.test/x', body };
  return {
    json: async () => res,
    request: async () => {
      throw new Error('not used');
    },
    watchRetries: () => () => undefined,
    close: async () => undefined,
  };
}

const adapterFor = (
  vendor: Exclude<VendorKind, 'generic'>,
  status: number,
  body: unknown,
  now = '2026-01-01T00:00:00Z',
) =>
  createGenericAdapter(builtInConfigs[vendor], {
    baseUrl: 'https://api.vendor.test',
    options: { environment_id: '95b11417-f18f-457f-8804-68e361f9164f' },
    http: canned(status, body),
    label: vendor,
    now: () => Date.parse(now),
  });
const signal = new AbortController().signal;

describe('the documented examples map onto the RemoteExport view', () => {
  it('DataDriver: running, completed, failed and 410 expired', async () => {
    const running = await adapterFor('datadriver', 200, seed('datadriver-running')).get(
      'x',
      signal,
    );
    expect(running).toMatchObject({
      id: 'exp_a3f9b2c1d4e5f6g7',
      status: 'processing',
      rawStatus: 'running',
      progressPct: 42,
    });
    const done = await adapterFor('datadriver', 200, seed('datadriver-completed')).get('x', signal);
    expect(done).toMatchObject({
      status: 'completed',
      rowCount: 8421,
      urlExpiresAt: Date.parse('2026-05-16T12:14:00Z'),
      files: [{ url: expect.stringContaining('supabase.co'), size: 932144, filename: null }],
    });
    const failed = await adapterFor('datadriver', 200, seed('datadriver-failed')).get('x', signal);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'QUERY_TOO_BROAD' } });
    const gone = await adapterFor('datadriver', 410, seed('datadriver-expired')).get('x', signal);
    expect(gone).toMatchObject({ status: 'expired', error: { code: 'EXPORT_EXPIRED' } });
  });

  it('HookBridge: the envelope, sizes, and a file served by the download endpoint', async () => {
    const r = await adapterFor('hookbridge', 200, seed('hookbridge-export')).get('x', signal);
    expect(r).toMatchObject({
      id: '01935abc-def0-7123-4567-890abcdef012',
      status: 'completed',
      rowCount: 5000,
      files: [
        {
          url: 'https://api.vendor.test/v1/exports/01935abc-def0-7123-4567-890abcdef012/download',
          size: 1024000,
        },
      ],
    });
  });

  it('DealMachine: stage, several named files; past expires_at it counts as expired', async () => {
    const r = await adapterFor(
      'dealmachine',
      200,
      seed('dealmachine-export'),
      '2026-02-18T00:00:00Z',
    ).get('x', signal);
    expect(r).toMatchObject({
      status: 'completed',
      stage: 'Complete',
      rowCount: 15432,
      files: [{ filename: 'properties_export_2026-02-17.csv.gz', size: 2457600 }],
    });
    const later = await adapterFor(
      'dealmachine',
      200,
      seed('dealmachine-export'),
      '2026-03-01T00:00:00Z',
    ).get('x', signal);
    expect(later.status).toBe('expired');
  });

  it('Dynamic: camelCase, the error string kept as the message', async () => {
    const r = await adapterFor('dynamic', 200, { ...seed('dynamic-export'), status: 'failed' }).get(
      'x',
      signal,
    );
    expect(r).toMatchObject({
      id: '95b11417-f18f-457f-8804-68e361f9164f',
      status: 'failed',
      error: { code: null, message: '<string>' },
    });
  });

  it('a 401 is PROVIDER_UNAUTHORIZED, any other error status PROVIDER_ERROR with the vendor words', async () => {
    await expect(
      adapterFor('hookbridge', 401, seed('hookbridge-unauthorized')).get('x', signal),
    ).rejects.toMatchObject({
      code: 'PROVIDER_UNAUTHORIZED',
      details: { http_status: 401, vendor_code: 'UNAUTHORIZED' },
    });
    await expect(
      adapterFor('hookbridge', 404, seed('hookbridge-not-found')).get('x', signal),
    ).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
      details: { http_status: 404, vendor_code: 'NOT_FOUND', vendor_message: 'Message not found' },
    });
  });
});

describe('generic config validation', () => {
  it('accepts every built-in vendor config', () => {
    for (const c of Object.values(builtInConfigs))
      expect(() => parseGenericConfig(c)).not.toThrow();
  });

  it.each([
    [{ ...acmeConfig, statuses: { done: 'finished' } }, /options.config.statuses/],
    [{ ...acmeConfig, poll: { path: 'no-slash' } }, /options.config.poll.path/],
    [{ ...acmeConfig, paths: { ...acmeConfig.paths, id: 'a..b' } }, /unreadable JSON path "a..b"/],
    [{ ...acmeConfig, paths: { id: 'uuid', status: 'state' } }, /needs a way to the files/],
    [{ ...acmeConfig, surprise: true }, /options.config/],
  ])('refuses a broken config with a message naming the problem (%#)', (config, message) => {
    expect(() => parseGenericConfig(config)).toThrow(message);
  });
});
