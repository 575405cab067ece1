// serve's early port (early-listener.ts): /healthz answers "starting" and everything else 503 with
// Retry-After while the engine opens; the API then adopts the same server and port, with its guards.
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenEarly, type EarlyListener } from '../../electron/server/early-listener.ts';
import { startServer, type RunningServer } from '../../electron/server/serve.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { tempDir } from '../helpers/context.ts';

const KEY = 'em_early_test_key_0123456789';
let early: EarlyListener | null = null;
let server: RunningServer | null = null;
let dir = '';
afterEach(async () => {
  await server?.close();
  server = null;
  await early?.close();
  early = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the early port', () => {
  it('answers /healthz as starting and refuses the rest with 503 until the API takes over', async () => {
    early = await listenEarly('127.0.0.1', 0, '9.9.9');
    const url = `http://127.0.0.1:${(early.server.address() as AddressInfo).port}`;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { data: unknown }).data).toEqual({
      status: 'starting',
      version: '9.9.9',
    });
    const other = await fetch(`${url}/v1/exports`);
    expect(other.status).toBe(503);
    expect(other.headers.get('retry-after')).toBe('1');
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
      'SERVICE_UNAVAILABLE',
    );
    early.handOver((_req, res) => res.end('adopted'));
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('adopted');
  });

  it('serve adopts the bound port: same port, the real API with its key and guards, closed on close', async () => {
    dir = tempDir();
    early = await listenEarly('127.0.0.1', 0, '9.9.9');
    const port = (early.server.address() as AddressInfo).port;
    server = await startServer({
      dataDir: dir,
      port,
      demoRows: 0,
      envKey: KEY,
      logger: silentLogger,
      staticDir: null,
      early,
    });
    expect(server.port).toBe(port);
    expect(server.app.server).toBe(early.server);
    const health = await fetch(`${server.url}/healthz`);
    expect(((await health.json()) as { data: { status: string } }).data.status).toBe('ok');
    expect((await fetch(`${server.url}/v1/exports`)).status).toBe(401);
    const authed = await fetch(`${server.url}/v1/exports`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(authed.status).toBe(200);
    // The Host guard runs on the adopted server too.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/healthz', headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).not.toBe(200);
    await server.close();
    server = null;
    early = null;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
