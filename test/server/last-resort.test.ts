// The last resort: an error that escapes a job's work (thrown in a timer, an 'error' event nobody
// listens to) fails that export only; the process lives on and other exports complete.
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { installLastResort } from '../../electron/engine/exports/job-scope.ts';
import { createLogger } from '../../electron/engine/logger.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { createExport, waitFinal } from '../helpers/exports.ts';
import { liarConfig, startLyingVendor } from '../fixtures/vendors/lying-vendor.ts';

let s: TestServer | null = null;
let remove: (() => void) | null = null;
afterEach(async () => {
  remove?.();
  await s?.close();
});

describe('an uncaught error inside one export', () => {
  it.each([
    [
      'thrown in a timer',
      () =>
        setTimeout(() => {
          throw new Error('adapter bug in a timer');
        }, 5),
    ],
    [
      'an error event without a listener',
      () =>
        setTimeout(() => {
          new EventEmitter().emit('error', new Error('stream error nobody handles'));
        }, 5),
    ],
    ['a rejected promise nobody awaits', () => void Promise.reject(new Error('forgotten promise'))],
  ])('%s fails that export with INTERNAL; a local export completes', async (_what, blowUp) => {
    const vendor = await startLyingVendor();
    const logs: string[] = [];
    s = await makeServer({
      demoRows: 500,
      logger: createLogger('info', (l) => logs.push(l)),
      providersTestSeams: { runner: { pollMinMs: 5, pollMaxMs: 20 } },
    });
    remove = installLastResort(s.engine.ctx.logger);
    try {
      const p = await s.call({
        method: 'POST',
        url: '/v1/providers',
        payload: {
          name: 'Liar',
          type: 'generic',
          base_url: vendor.url,
          credential: vendor.token,
          options: { config: liarConfig },
        },
      });
      const providerId = p.json().data.id as string;
      // A defect in a vendor adapter: its poll raises an error no one can catch, and never answers.
      const providers = s.engine.providers;
      const connect = providers.connect.bind(providers);
      providers.connect = (id) => {
        const handle = connect(id);
        return {
          ...handle,
          adapter: {
            ...handle.adapter,
            get: () => {
              blowUp();
              return new Promise(() => undefined);
            },
          },
        };
      };
      const vendorExport = await createExport(s, { provider: providerId, params: { lie: 'none' } });
      const failed = await waitFinal(s, vendorExport.json().data.id);
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).toBe('INTERNAL');
      expect(failed.error?.message).toMatch(/failed unexpectedly/);
      expect(logs.join('\n')).toMatch(/kept the engine running/);
      const local = await createExport(s, { dataset: 'leads', format: 'csv' });
      expect((await waitFinal(s, local.json().data.id)).status).toBe('completed');
    } finally {
      await vendor.stop();
    }
  });
});
