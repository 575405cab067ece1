import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { startServer, type RunningServer } from '../../electron/server/serve.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { tempDir } from '../helpers/context.ts';

const KEY = 'em_listen_test_key_0123456789';
let server: RunningServer | null = null;
let dir = '';
afterEach(async () => {
  await server?.close();
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

async function start(host?: string) {
  dir = tempDir();
  server = await startServer({
    dataDir: dir,
    host,
    port: 0,
    demoRows: 0,
    envKey: KEY,
    logger: silentLogger,
    staticDir: null,
  });
  return server;
}

describe('a real port', () => {
  it('binds loopback only, on the port it reports', async () => {
    const s = await start();
    const addr = s.app.server.address() as AddressInfo;
    expect(addr.address).toBe('127.0.0.1');
    expect(addr.port).toBe(s.port);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('refuses to bind a non-loopback address', async () => {
    dir = tempDir();
    await expect(
      startServer({
        dataDir: dir,
        host: '0.0.0.0',
        port: 0,
        demoRows: 0,
        logger: silentLogger,
        staticDir: null,
      }),
    ).rejects.toThrow(/loopback/);
  });

  it('streams events over SSE with heartbeats, authenticated by key', async () => {
    const s = await start();
    const unauth = await fetch(`${s.url}/v1/events`);
    expect(unauth.status).toBe(401);
    const ac = new AbortController();
    const res = await fetch(`${s.url}/v1/events`, {
      headers: { authorization: `Bearer ${KEY}` },
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const dec = new TextDecoder();
    const first = await reader.read();
    text += dec.decode(first.value);
    s.engine.ctx.events.emit('export.deleted', { id: 'abc' });
    while (!text.includes('event: export.deleted')) text += dec.decode((await reader.read()).value);
    expect(text).toContain('data: {"id":"abc"}');
    ac.abort();
  });
});
