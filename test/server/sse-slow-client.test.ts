// An SSE client that stops reading is dropped once a bounded amount waits for it; the engine's
// memory does not follow what the client fails to read, and readers keep being served.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { boundedSseWrite, SSE_MAX_BUFFERED } from '../../electron/server/sse-buffer.ts';
import { startListening, type Listening } from '../helpers/listening.ts';

const KEY = 'em_sse_test_key_0123456789abcdef';
let running: Listening | null = null;
let plain: Server | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
  plain?.closeAllConnections();
  plain?.close();
  plain = null;
});

const event = 'x'.repeat(4096);

describe('a client that does not read', () => {
  it('never has more than the bound queued for it, then is dropped', async () => {
    let res: ServerResponse | null = null;
    plain = createServer((_req, r) => {
      r.writeHead(200);
      res = r;
    });
    await new Promise<void>((r) => plain!.listen(0, '127.0.0.1', r));
    const sock = connect((plain.address() as AddressInfo).port, '127.0.0.1');
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    sock.pause();
    const r = await vi.waitFor(
      () => {
        const got = res as ServerResponse | null;
        if (!got) throw new Error('the request has not arrived');
        return got;
      },
      { interval: 5 },
    );
    const write = boundedSseWrite(r);
    let peak = 0;
    let sent = 0;
    while (!r.destroyed && sent < 64 * 1024 * 1024) {
      write(`data: ${event}\n\n`);
      sent += event.length;
      peak = Math.max(peak, r.writableLength);
      if (sent % (256 * 1024) === 0) await new Promise((x) => setImmediate(x));
    }
    expect(r.destroyed).toBe(true);
    expect(peak).toBeLessThanOrEqual(SSE_MAX_BUFFERED);
    sock.destroy();
  });

  it('/v1/events drops a client that stopped reading, and keeps serving the others', async () => {
    running = await startListening(KEY);
    const server = running.server;
    const http = server.app.server;
    const connections = () =>
      new Promise<number>((r, j) => http.getConnections((e, n) => (e ? j(e) : r(n))));
    const sock = connect(server.port, '127.0.0.1');
    sock.on('error', () => undefined);
    sock.write(
      `GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${KEY}\r\n\r\n`,
    );
    await new Promise((r) => setTimeout(r, 100));
    sock.pause();
    expect(await connections()).toBe(1);
    let closed = false;
    const events = server.engine.ctx.events;
    // Deleted-export events with long ids: 4 KB each, as a capped vendor text would make them.
    // Events reach streams once their lines are on disk (store/durability.ts): the loop yields to
    // I/O so deliveries keep up, and the drop may come a moment after the last one.
    for (let i = 0; i < 20_000 && !closed; i++) {
      events.emit('export.deleted', { id: event });
      if (i % 64 === 0) {
        await new Promise((r) => setImmediate(r));
        closed = (await connections()) === 0;
      }
    }
    for (let waited = 0; !closed && waited < 5000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      closed = (await connections()) === 0;
    }
    expect(closed).toBe(true);
    sock.destroy();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
