import { storeKind } from '../helpers/test-store.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, makeServer, type TestServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/context.ts';
import { sameDigest } from '../../electron/engine/auth/keys-service.ts';

let s: TestServer;
beforeEach(async () => {
  s = await makeServer();
});
afterEach(async () => s.close());

const envelopeError = (body: string) =>
  JSON.parse(body) as {
    error: { code: string; message: string; details: object };
    meta: { request_id: string };
  };

describe('health and OpenAPI', () => {
  it('answers /healthz without a key, in the envelope, with X-Request-Id', async () => {
    const res = await s.call({ url: '/healthz', key: null });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data).toEqual({
      status: 'ok',
      version: '0.0.0-test',
      storage: { kind: 'local', ok: true },
      store: { kind: storeKind(), ok: true },
    });
    expect(body.meta.request_id).toMatch(/^req_/);
    expect(res.headers['x-request-id']).toBe(body.meta.request_id);
  });

  it('serves the bare OpenAPI document without a key', async () => {
    const res = await s.call({ url: '/v1/openapi.json', key: null });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.data).toBeUndefined();
    expect(Object.keys(doc.paths)).toContain('/healthz');
    expect(Object.keys(doc.paths)).toContain('/v1/settings');
  });

  it('documents what each route answers: 204 and 302 without a body, errors in the envelope', async () => {
    type Responses = Record<string, { content?: object; headers?: object }>;
    const doc = (await s.call({ url: '/v1/openapi.json', key: null })).json() as {
      paths: Record<string, Record<string, { responses: Responses }>>;
    };
    const deletes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      ops.delete ? [[path, ops.delete.responses] as const] : [],
    );
    expect(deletes.map(([p]) => p).sort()).toEqual([
      '/v1/datasets/{name}',
      '/v1/exports/{id}',
      '/v1/keys/{id}',
      '/v1/providers/{id}',
      '/v1/schedules/{id}',
    ]);
    for (const [path, responses] of deletes) {
      expect(Object.keys(responses), path).not.toContain('200');
      expect(responses['204']?.content, path).toBeUndefined();
    }
    for (const path of ['/v1/exports/{id}/download', '/v1/schedules/{id}/latest/download']) {
      const responses = doc.paths[path]!.get!.responses;
      expect(Object.keys(responses), path).not.toContain('200');
      expect(responses['302']?.headers, path).toHaveProperty('location');
    }
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        // Every operation lists its error statuses, each in the Error envelope.
        const schema = (
          op.responses['403']?.content as Record<string, { schema: { $ref: string } }>
        )?.['application/json']?.schema;
        expect(schema?.$ref, `${method} ${path}`).toBe('#/components/schemas/Error');
      }
  });
});

describe('API keys', () => {
  it('refuses /v1 without a key, with a wrong key, and with the key in the query string', async () => {
    for (const [opts, what] of [
      [{ key: null }, 'no key'],
      [{ key: 'em_wrong' }, 'wrong key'],
      [
        {
          key: null,
          url: '/v1/settings?key=em_test_key_0123456789abcdef&api_key=em_test_key_0123456789abcdef',
        },
        'query key',
      ],
      [{ key: null, headers: { authorization: 'Basic ZW06a2V5' } }, 'basic auth'],
    ] as const) {
      const res = await s.call({ url: '/v1/settings', ...opts });
      expect(res.statusCode, what).toBe(401);
      const err = envelopeError(res.body);
      expect(err.error.code).toBe('UNAUTHORIZED');
      expect(err.meta.request_id).toMatch(/^req_/);
    }
  });

  it('refuses a key one character off, of the same length, and a prefix of the key', async () => {
    const created = await s.call({ method: 'POST', url: '/v1/keys', payload: { name: 'near' } });
    const { key } = created.json().data as { key: string };
    const last = key.at(-1) === 'a' ? 'b' : 'a';
    for (const wrong of [key.slice(0, -1) + last, key.slice(0, -1), key + 'a', key.toUpperCase()]) {
      expect((await s.call({ url: '/v1/settings', key: wrong })).statusCode, wrong).toBe(401);
    }
    expect((await s.call({ url: '/v1/settings', key })).statusCode).toBe(200);
  });

  it('compares digests in constant time and only at equal length', () => {
    expect(sameDigest('ab12', 'ab12')).toBe(true);
    expect(sameDigest('ab12', 'ab13')).toBe(false);
    expect(sameDigest('ab12', 'ab1')).toBe(false);
    expect(sameDigest('', '')).toBe(true);
  });

  it('accepts the environment key and keys created through the API, and forgets revoked ones', async () => {
    expect((await s.call({ url: '/v1/settings' })).statusCode).toBe(200);
    const created = await s.call({
      method: 'POST',
      url: '/v1/keys',
      payload: { name: 'spreadsheet' },
    });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json().data as { id: string; key: string };
    expect(key).toMatch(/^em_/);
    expect((await s.call({ url: '/v1/settings', key })).statusCode).toBe(200);
    // The key is never shown again, and is stored only as a hash.
    const listed = await s.call({ url: '/v1/keys' });
    expect(listed.body).not.toContain(key);
    const stored =
      storeKind() === 'sqlite'
        ? readFileSync(join(s.dataDir, 'export-manager.sqlite'))
        : Buffer.from(JSON.stringify(s.engine.ctx.db.prepare('SELECT * FROM api_keys').all()));
    expect(stored.includes(Buffer.from(key))).toBe(false);
    expect((await s.call({ method: 'DELETE', url: `/v1/keys/${id}` })).statusCode).toBe(204);
    expect((await s.call({ url: '/v1/settings', key })).statusCode).toBe(401);
  });

  it('writes a random key to DATA_DIR/api-key with mode 0600 when no key comes from the environment', async () => {
    const dataDir = tempDir();
    const t = await makeServer({ dataDir, envKey: undefined });
    try {
      const file = join(dataDir, 'api-key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const key = readFileSync(file, 'utf8').trim();
      expect(key.length).toBeGreaterThan(20);
      expect((await t.call({ url: '/v1/settings', key })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('Host and Origin guards', () => {
  const routes = [
    '/healthz',
    '/v1/openapi.json',
    '/v1/settings',
    '/',
    '/files/x/y?expires=1&signature=00',
    '/nope',
  ];

  it('answers 403 FORBIDDEN_HOST to a foreign, LAN, look-alike or missing Host on every route', async () => {
    for (const host of [
      'evil.example:8787',
      '192.168.1.20:8787',
      'x.localhost.evil:8787',
      '127.0.0.1:9999',
      'localhost',
      '127.0.0.1.nip.io:8787',
    ]) {
      for (const url of routes) {
        const res = await s.call({ url, headers: { host } });
        expect(res.statusCode, `${host} ${url}`).toBe(403);
        expect(envelopeError(res.body).error.code).toBe('FORBIDDEN_HOST');
      }
    }
    const missing = await s.app.inject({ url: '/healthz', headers: { host: '' } });
    expect(missing.statusCode).toBe(403);
  });

  it('accepts the three loopback Host forms', async () => {
    for (const host of ['127.0.0.1:8787', 'localhost:8787', '[::1]:8787']) {
      expect((await s.call({ url: '/healthz', headers: { host } })).statusCode).toBe(200);
    }
  });

  it('answers 403 FORBIDDEN_ORIGIN to a foreign or null Origin and never sends CORS headers', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      'http://127.0.0.1:9999',
      'http://localhost.evil:8787',
    ]) {
      const res = await s.call({ url: '/v1/settings', headers: { origin } });
      expect(res.statusCode, origin).toBe(403);
      expect(envelopeError(res.body).error.code).toBe('FORBIDDEN_ORIGIN');
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    const own = await s.call({ url: '/v1/settings', headers: { origin: `http://${HOST}` } });
    expect(own.statusCode).toBe(200);
    expect(Object.keys(own.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const preflight = await s.call({
      method: 'OPTIONS',
      url: '/v1/exports',
      key: null,
      headers: { origin: 'https://evil.example' },
    });
    expect(preflight.statusCode).toBe(403);
  });

  it('a cross-site form POST (text/plain, no key) cannot reach a handler', async () => {
    const res = await s.call({
      method: 'POST',
      url: '/v1/keys',
      key: null,
      headers: { 'content-type': 'text/plain' },
      payload: '{"name":"x"}',
    });
    expect(res.statusCode).toBe(401);
    const withKey = await s.call({
      method: 'POST',
      url: '/v1/keys',
      headers: { 'content-type': 'text/plain' },
      payload: '{"name":"x"}',
    });
    expect(withKey.statusCode).toBe(415);
    expect(envelopeError(withKey.body).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await s.call({ url: '/v1/keys' })).json().data).toHaveLength(0);
  });
});

describe('error envelope', () => {
  it('answers unknown routes, bad JSON and schema violations in the envelope', async () => {
    const notFound = await s.call({ url: '/v1/nothing-here' });
    expect(notFound.statusCode).toBe(404);
    expect(envelopeError(notFound.body).error.code).toBe('NOT_FOUND');
    const badJson = await s.call({
      method: 'POST',
      url: '/v1/keys',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(envelopeError(badJson.body).error.code).toBe('INVALID_REQUEST');
    const badBody = await s.call({
      method: 'POST',
      url: '/v1/keys',
      payload: { name: 'x', surprise: 1 },
    });
    expect(badBody.statusCode).toBe(400);
    expect(envelopeError(badBody.body).error.message).toMatch(/surprise/);
    const tooBig = await s.call({
      method: 'POST',
      url: '/v1/keys',
      payload: { name: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(tooBig.statusCode).toBe(413);
    expect(envelopeError(tooBig.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('browser tab sign-in', () => {
  it('exchanges a one-time token for an HttpOnly SameSite=Strict cookie and drops the token from the URL', async () => {
    const token = s.engine.keys.issueToken();
    const res = await s.call({ url: `/?token=${token}`, key: null });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^em_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0] ?? '';
    expect(
      (await s.call({ url: '/v1/settings', key: null, headers: { cookie: session } })).statusCode,
    ).toBe(200);
    // The cookie does not help a foreign page.
    expect(
      (
        await s.call({
          url: '/v1/settings',
          key: null,
          headers: { cookie: session, origin: 'https://evil.example' },
        })
      ).statusCode,
    ).toBe(403);
    // The token works once.
    const again = await s.call({ url: `/?token=${token}`, key: null });
    expect(again.statusCode).toBe(302);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(
      (await s.call({ url: '/v1/settings', key: null, headers: { cookie: 'em_session=forged' } }))
        .statusCode,
    ).toBe(401);
  });

  it('mints a new sign-in link for a key holder', async () => {
    const res = await s.call({ method: 'POST', url: '/v1/sessions/token' });
    expect(res.statusCode).toBe(201);
    expect(res.json().data.url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/\?token=/);
  });
});

describe('renderer', () => {
  it('serves the built page with a strict CSP and falls back to it for app routes', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><title>Export Manager</title><script type="module" src="/assets/app.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    const t = await makeServer({}, dir);
    try {
      const page = await t.call({ url: '/', key: null });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(page.headers['content-security-policy']).not.toMatch(/unsafe/);
      expect(page.body).toContain('Export Manager');
      expect((await t.call({ url: '/assets/app.js', key: null })).statusCode).toBe(200);
      const deep = await t.call({
        url: '/exports/123',
        key: null,
        headers: { accept: 'text/html' },
      });
      expect(deep.statusCode).toBe(200);
      expect(deep.body).toContain('Export Manager');
      expect(
        (await t.call({ url: '/v1/nope', key: null, headers: { accept: 'text/html' } })).statusCode,
      ).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('says how to build the page when it is missing', async () => {
    const page = await s.call({ url: '/', key: null });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('npm run build');
    expect(existsSync(join(s.dataDir, 'export-manager.sqlite'))).toBe(storeKind() === 'sqlite');
  });
});
