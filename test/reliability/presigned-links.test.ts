// Presigned links through the HTTP layer with a fake clock: tampering, expiry to the second,
// rotation, one export's link never reading another's file (traversal: port-defence.test.ts, raw).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.ts';
import { createExport, fetchLink, linkParts, waitFinal } from '../helpers/exports.ts';
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
    const link = linkParts(a.href);
    const sig = link.signature;
    const exp = link.expires;
    const flip = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
    const variants = [
      link.with({ filename: `x${link.filename}` }), // another file name
      link.with({ id: flip(link.id) }),
      link.with({ expires: String(Number(exp) + 1) }),
      link.with({ signature: sig.slice(0, -1) }),
      link.with({ signature: flip(sig) }),
      `${link.path}?expires=${Number(exp) + 1}&signature=${sig}`,
      `${link.path}?expires=${exp}&signature=${flip(sig)}`,
      `${link.path}?expires=${exp}`,
      `${link.path}?signature=${sig}`,
      link.path,
    ];
    for (const v of variants) {
      const r = await get(`http://127.0.0.1${v}`);
      expect([400, 403, 404], v).toContain(r.statusCode);
      if (r.statusCode === 403) expect(code(r)).toBe('SIGNATURE_INVALID');
    }
  });

  it('valid one second before expiry, 403 SIGNATURE_EXPIRED one second after', async () => {
    const r = await s.call({ method: 'GET', url: `/v1/exports/${linkParts(a.href).id}` });
    const href = r.json().data.download_url as string;
    const link = linkParts(href);
    const expiresMs = Number(link.expires) * 1000;
    clock.set(expiresMs - 1000);
    expect((await get(href)).statusCode).toBe(200);
    expect((await get(`http://127.0.0.1${link.queryForm}`)).statusCode).toBe(200);
    clock.set(expiresMs + 1000);
    for (const late of [await get(href), await get(`http://127.0.0.1${link.queryForm}`)]) {
      expect(late.statusCode).toBe(403);
      expect(code(late)).toBe('SIGNATURE_EXPIRED');
    }
  });

  it("one export's signature never opens another export's file", async () => {
    const one = linkParts(a.href);
    const two = linkParts(b.href);
    for (const crossed of [
      two.with({ signature: one.signature, expires: one.expires }),
      `${two.path}?expires=${one.expires}&signature=${one.signature}`,
      one.with({ filename: two.filename }),
    ]) {
      expect([403, 404], crossed).toContain((await get(`http://127.0.0.1${crossed}`)).statusCode);
    }
  });

  it('rotating the signing secret invalidates every outstanding link', async () => {
    const r = await s.call({ method: 'GET', url: `/v1/exports/${linkParts(b.href).id}` });
    const fresh = r.json().data.download_url as string;
    expect((await get(fresh)).statusCode).toBe(200);
    s.engine.presigner.rotate();
    const old = await get(fresh);
    expect(old.statusCode).toBe(403);
    expect(code(old)).toBe('SIGNATURE_INVALID');
    const again = await s.call({ method: 'GET', url: `/v1/exports/${linkParts(b.href).id}` });
    expect((await get(again.json().data.download_url as string)).statusCode).toBe(200);
  });
});
