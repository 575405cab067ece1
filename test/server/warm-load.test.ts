// serve's start loads the API's packages one per turn of the event loop (warm-load.ts), so the
// early port answers /healthz while they load instead of after all of them.
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenEarly, type EarlyListener } from '../../electron/server/early-listener.ts';
import { warmLoad } from '../../electron/server/warm-load.ts';

let early: EarlyListener | null = null;
afterEach(async () => {
  await early?.close();
  early = null;
});

function health(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe('loading the API in steps', () => {
  it('answers /healthz as starting before the packages have finished loading', async () => {
    early = await listenEarly('127.0.0.1', 0, '1.2.3');
    const port = (early.server.address() as AddressInfo).port;
    const order: string[] = [];
    const answered = health(port).then((r) => {
      order.push('healthz');
      return r;
    });
    await warmLoad().then(() => order.push('loaded'));
    const r = await answered;
    expect(order).toEqual(['healthz', 'loaded']);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).data).toEqual({ status: 'starting', version: '1.2.3' });
  });

  it('turns the event loop between steps even when each step finishes at once', async () => {
    early = await listenEarly('127.0.0.1', 0, '1.2.3');
    const port = (early.server.address() as AddressInfo).port;
    const order: string[] = [];
    const answered = health(port).then(() => order.push('healthz'));
    // Steps that resolve in a microtask: only warmLoad's own turns let the request through.
    const steps = Array.from(
      { length: 8 },
      (_, i) => () => Promise.resolve(order.push(`step ${i}`)),
    );
    await warmLoad(steps);
    await answered;
    expect(order.indexOf('healthz')).toBeGreaterThan(-1);
    expect(order.indexOf('healthz')).toBeLessThan(order.indexOf('step 7'));
  });
});
