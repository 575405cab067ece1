import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { startListening, type Listening } from '../helpers/listening.ts';

// `Expect: 100-continue` over a real socket: the server says "go on" only to a request that has
// passed the key and origin checks and whose declared body fits, so a client never uploads a
// body the server is going to refuse.
const KEY = 'em_continue_test_key_0123456789';
let running: Listening | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

async function start() {
  running = await startListening(KEY);
  return running.server;
}

/** Sends the head, waits for the server's first answer, sends the body only after 100 Continue. */
function exchange(
  port: number,
  head: string,
  body: string,
): Promise<{ first: string; all: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let all = '';
    let first = '';
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      all += chunk;
      if (!first && all.includes('\r\n')) {
        first = all.slice(0, all.indexOf('\r\n'));
        if (first.startsWith('HTTP/1.1 100')) sock.write(body);
      }
    });
    sock.on('end', () => resolve({ first, all }));
    sock.on('error', reject);
    sock.on('connect', () => sock.write(head));
    setTimeout(() => sock.end(), 3000).unref();
  });
}

const head = (port: number, length: number, key?: string): string =>
  [
    'POST /v1/exports HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    'Expect: 100-continue',
    'Connection: close',
    ...(key ? [`Authorization: Bearer ${key}`] : []),
    '',
    '',
  ].join('\r\n');

describe('Expect: 100-continue', () => {
  it('answers 401 without a key and never invites the body', async () => {
    const s = await start();
    const body = '{}';
    const r = await exchange(s.port, head(s.port, body.length), body);
    expect(r.first).toMatch(/^HTTP\/1\.1 401/);
    expect(r.all).not.toContain('100 Continue');
  });

  it('grants 100 Continue to an authorised request, then reads and judges the body', async () => {
    const s = await start();
    const body = '{}';
    const r = await exchange(s.port, head(s.port, body.length, KEY), body);
    expect(r.first).toBe('HTTP/1.1 100 Continue');
    // The body was read: the answer is about its content (no dataset named), not about auth.
    expect(r.all).toMatch(/HTTP\/1\.1 400/);
    expect(r.all).toContain('INVALID_REQUEST');
  });

  it('refuses a declared body over the limit with 413 before it is sent', async () => {
    const s = await start();
    const r = await exchange(s.port, head(s.port, 50 * 1024 * 1024, KEY), '');
    expect(r.first).toMatch(/^HTTP\/1\.1 413/);
    expect(r.all).not.toContain('100 Continue');
    expect(r.all).toContain('PAYLOAD_TOO_LARGE');
  });
});
