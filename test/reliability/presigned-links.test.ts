// Presigned links through the HTTP layer with a fake clock: tampering, expiry to the second,
// rotation, one export's link never reading another's file (traversal: port-defence.test.ts, raw).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.ts';
import { createExport, fetchLink, waitFinal } from '../helpers/exports.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';

const clock = new FakeClock('2026-06-01T00:00:00Z');
let s: TestServer;
let a: URL;
let b: URL;

beforeAll(async () => {
  s = await makeServer({
    clock,
    demoRows: 300,
    urlTtlSeconds: 600,
    exportsTestSeams: { progressMs: 0 },
  });
  const one = await waitFinal(s, (await createExport(s, { dataset: 'leads' })).json().data.id);
  const two = await waitFinal(
    s,
    (await createExport(s, { dataset: 'leads', format: 'jsonl' })).json().data.id,
  );
  a = new URL(one.download_url!);
  b = new URL(two.download_url!);
});
afterAll(() => s.close());

const get = (url: string) => fetchLink(s, url);
const code = (r: { body: string }) =>
  (JSON.parse(r.body) as { error: { code: string } }).error.code;

describe('presigned links', () => {
  it('each signed field changed, or the signature cut, gets 403 SIGNATURE_INVALID', async () => {
    expect((await get(a.href)).statusCode).toBe(200);
    const sig = a.searchParams.get('signature')!;
    const exp = a.searchParams.get('expires')!;
    const variants = [
      a.pathname.replace(/\/([^/]+)$/, '/x$1') + a.search, // another file name
      a.pathname.replace(/[0-9a-f]{4}-/, (m) => (m[0] === '0' ? '1' : '0') + m.slice(1)) + a.search,
      `${a.pathname}?expires=${Number(exp) + 1}&signature=${sig}`,
      `${a.pathname}?expires=${exp}&signature=${sig.slice(0, -1)}`,
      `${a.pathname}?expires=${exp}&signature=${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`,
      `${a.pathname}?expires=${exp}`,
      `${a.pathname}?signature=${sig}`,
      a.pathname,
    ];
    for (const v of variants) {
      const r = await get(`http://127.0.0.1${v}`);
      expect([400, 403, 404], v).toContain(r.statusCode);
      if (r.statusCode === 403) expect(code(r)).toBe('SIGNATURE_INVALID');
    }
  });

  it('valid one second before expiry, 403 SIGNATURE_EXPIRED one second after', async () => {
    const r = await s.call({ method: 'GET', url: `/v1/exports/${a.pathname.split('/')[2]}` });
    const link = new URL(r.json().data.download_url);
    const expiresMs = Number(link.searchParams.get('expires')) * 1000;
    clock.set(expiresMs - 1000);
    expect((await get(link.href)).statusCode).toBe(200);
    clock.set(expiresMs + 1000);
    const late = await get(link.href);
    expect(late.statusCode).toBe(403);
    expect(code(late)).toBe('SIGNATURE_EXPIRED');
  });

  it("one export's signature never opens another export's file", async () => {
    const crossed = `${b.pathname}?${a.searchParams.toString()}`;
    expect((await get(`http://127.0.0.1${crossed}`)).statusCode).toBe(403);
    const swapped = `${a.pathname.replace(/[^/]+$/, b.pathname.split('/').pop()!)}${a.search}`;
    expect([403, 404]).toContain((await get(`http://127.0.0.1${swapped}`)).statusCode);
  });

  it('rotating the signing secret invalidates every outstanding link', async () => {
    const r = await s.call({ method: 'GET', url: `/v1/exports/${b.pathname.split('/')[2]}` });
    const fresh = r.json().data.download_url as string;
    expect((await get(fresh)).statusCode).toBe(200);
    s.engine.presigner.rotate();
    const old = await get(fresh);
    expect(old.statusCode).toBe(403);
    expect(code(old)).toBe('SIGNATURE_INVALID');
    const again = await s.call({ method: 'GET', url: `/v1/exports/${b.pathname.split('/')[2]}` });
    expect((await get(again.json().data.download_url as string)).statusCode).toBe(200);
  });
});
