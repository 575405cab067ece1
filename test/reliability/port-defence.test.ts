// Local port defence against the real serve process: DNS rebinding, foreign origins, cross-site
// forms, keys in the query string, loopback-only binding, keys stored hashed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/context.ts';
import { raw } from './raw-http.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

let s: ServeProcess;
let dataDir: string;
let fileUrl: URL;

beforeAll(async () => {
  dataDir = tempDir('em-rel-port-');
  s = await startServe(dataDir, ['--demo-rows', '2000']);
  // A completed export, so the file route has a real file to protect.
  const created = await s.api<{ data: { id: string } }>('POST', '/v1/exports', {
    dataset: 'leads',
  });
  expect(created.status).toBe(202);
  for (let i = 0; i < 400; i++) {
    const r = await s.api<{ data: { status: string; download_url: string | null } }>(
      'GET',
      `/v1/exports/${created.json.data.id}`,
    );
    if (r.json.data.download_url) {
      fileUrl = new URL(r.json.data.download_url);
      break;
    }
    await new Promise((res) => setTimeout(res, 25));
  }
  expect(fileUrl).toBeDefined();
});
afterAll(async () => {
  await s.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${s.key}` });
const routes = () => [
  ['GET', '/healthz'],
  ['GET', '/'],
  ['GET', '/v1/openapi.json'],
  ['GET', '/v1/exports'],
  ['POST', '/v1/exports'],
  ['GET', '/v1/settings'],
  ['GET', fileUrl.pathname + fileUrl.search],
  ['HEAD', fileUrl.pathname + fileUrl.search],
];

describe('DNS rebinding', () => {
  const hosts = (port: number) => [
    `evil.example:${port}`,
    `192.168.1.10:${port}`,
    `10.0.0.2:${port}`,
    `x.localhost.evil:${port}`,
    `localhost.evil.example:${port}`,
    `127.0.0.1.evil.example:${port}`,
    `127.0.0.1:${port + 1}`,
    `localhost`,
    `evil.example`,
  ];
  it('every route, the file route included, answers 403 FORBIDDEN_HOST to a foreign Host', async () => {
    let checked = 0;
    for (const host of hosts(s.port)) {
      for (const [method, path] of routes()) {
        const r = await raw(s.port, method!, path!, { host, ...auth() });
        expect(r.status, `${method} ${path} Host: ${host}`).toBe(403);
        if (method !== 'HEAD') expect(JSON.parse(r.body).error.code).toBe('FORBIDDEN_HOST');
        expect(r.headers['access-control-allow-origin']).toBeUndefined();
        checked++;
      }
    }
    expect(checked).toBe(hosts(s.port).length * routes().length);
  });

  it('the real names still work', async () => {
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, `[::1]:${s.port}`]) {
      const r = await raw(s.port, 'GET', '/healthz', { host });
      expect(r.status, host).toBe(200);
    }
  });
});

describe('foreign pages', () => {
  it('a foreign or opaque Origin gets 403 and no CORS header, on reads and writes', async () => {
    for (const origin of ['https://evil.example', 'null', `http://localhost:${s.port + 1}`]) {
      for (const [method, path] of routes()) {
        const r = await raw(s.port, method!, path!, { origin, ...auth() });
        expect(r.status, `${method} ${path} Origin: ${origin}`).toBe(403);
        expect(r.headers['access-control-allow-origin']).toBeUndefined();
        expect(r.headers['access-control-allow-credentials']).toBeUndefined();
      }
    }
  });

  it('a CORS preflight is refused and answered with no CORS header', async () => {
    const r = await raw(s.port, 'OPTIONS', '/v1/exports', {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a cross-site form POST (text/plain, no key) cannot create an export', async () => {
    const before = await s.api<{ data: unknown[] }>('GET', '/v1/exports?limit=100');
    const attempts: Record<string, string>[] = [
      { 'content-type': 'text/plain', origin: 'https://evil.example' },
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const r = await raw(s.port, 'POST', '/v1/exports', headers, '{"dataset":"leads"}');
      expect([401, 403, 415]).toContain(r.status);
    }
    // Even with the key, a text/plain body is not parsed as JSON.
    const withKey = await raw(
      s.port,
      'POST',
      '/v1/exports',
      { 'content-type': 'text/plain', ...auth() },
      '{"dataset":"leads"}',
    );
    expect(withKey.status).toBe(415);
    const after = await s.api<{ data: unknown[] }>('GET', '/v1/exports?limit=100');
    expect(after.json.data.length).toBe(before.json.data.length);
  });
});

describe('file paths', () => {
  it('traversal forms in the id or the file name get 400 and open nothing outside storage', async () => {
    const id = fileUrl.pathname.split('/')[2]!;
    const forms = [
      `/files/${id}/..%2F..%2Fexport-manager.sqlite`,
      `/files/${id}/%2e%2e%2fapi-key`,
      `/files/${id}/%2e%2e`,
      `/files/..%2F${id}/x.csv`,
      `/files/${id}/%2Fetc%2Fpasswd`,
      `/files/${id}/x%00.csv`,
      `/files/${id}/..%5C..%5Capi-key`,
      `/files/%2e%2e/api-key`,
      `/files/%2E%2E/%2E%2E/api-key`,
      `/files/${id}/C:%5Cx.csv`,
    ];
    for (const f of forms) {
      const r = await raw(s.port, 'GET', f + fileUrl.search);
      expect(r.status, f).toBe(400);
      expect(r.body).not.toContain(s.key);
    }
  });
});

describe('keys', () => {
  it('a key in the query string is never accepted', async () => {
    for (const q of ['key', 'api_key', 'token', 'access_token']) {
      const r = await raw(s.port, 'GET', `/v1/exports?${q}=${encodeURIComponent(s.key)}`);
      expect(r.status, q).toBe(401);
    }
  });

  it('a wrong key, a truncated key and a longer key all get 401', async () => {
    for (const k of ['nope', s.key.slice(0, -1), s.key + 'x', s.key.toUpperCase()]) {
      const r = await raw(s.port, 'GET', '/v1/exports', { authorization: `Bearer ${k}` });
      expect(r.status).toBe(401);
    }
  });

  it('keys are stored hashed: the key is nowhere in the database', () => {
    const db = new Database(join(dataDir, 'export-manager.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
      expect(JSON.stringify(rows)).not.toContain(s.key);
    } finally {
      db.close();
    }
    for (const f of ['export-manager.sqlite', 'export-manager.sqlite-wal']) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(dataDir, f));
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from(s.key))).toBe(false);
    }
  });
});

describe('credentials at rest', () => {
  it('a provider credential is nowhere in clear: not in any data file, log line or answer', async () => {
    const secret = 'vendor-credential-' + Math.random().toString(36).slice(2);
    const created = await s.api<{ data: { id: string } }>('POST', '/v1/providers', {
      name: 'Vendor',
      type: 'datadriver',
      base_url: 'http://127.0.0.1:9',
      credential: secret,
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.json)).not.toContain(secret);
    const read = await s.api('GET', `/v1/providers/${created.json.data.id}`);
    expect(JSON.stringify(read.json)).not.toContain(secret);
    // Testing the connection fails (nothing listens on port 9) and logs: the secret stays out.
    await s.api('POST', `/v1/providers/${created.json.data.id}/test`);
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
      );
    const files = walk(dataDir);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(readFileSync(f).includes(Buffer.from(secret)), f).toBe(false);
    expect(s.output()).not.toContain(secret);
  });
});

describe('binding', () => {
  it('the listening socket is bound to loopback only', () => {
    // /proc/net/tcp lists sockets by local address: ours must be 127.0.0.1 (0100007F), in LISTEN (0A).
    const hexPort = s.port.toString(16).toUpperCase().padStart(4, '0');
    const rows = [
      ...readFileSync('/proc/net/tcp', 'utf8').split('\n'),
      ...readFileSync('/proc/net/tcp6', 'utf8').split('\n'),
    ]
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c[1]?.endsWith(`:${hexPort}`) && c[3] === '0A');
    expect(rows.length).toBeGreaterThan(0);
    for (const c of rows) expect(c[1]).toBe(`0100007F:${hexPort}`);
  });

  it('refuses to listen on a non-loopback address', async () => {
    const dir = tempDir('em-rel-bind-');
    try {
      await expect(startServe(dir, ['--host', '0.0.0.0'])).rejects.toThrow(
        /loopback|127\.0\.0\.1/i,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
