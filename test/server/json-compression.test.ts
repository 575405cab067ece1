// Compression on request: JSON answers are compressed when the client asks; files never are, so a
// download's bytes, sizes, ranges and checksums are exactly the stored file's.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExport, fetchLink, waitFinal } from '../helpers/exports.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let gzUrl: string;
let gzPath: string;
let csvUrl: string;
let csvPath: string;
beforeAll(async () => {
  s = await makeServer({ demoRows: 2000, exportsTestSeams: { progressMs: 0 } });
  for (let i = 0; i < 12; i++) await createExport(s, { dataset: 'leads', name: `many-${i}` });
  const gz = await waitFinal(
    s,
    (await createExport(s, { dataset: 'leads', name: 'packed', compression: 'gzip' })).json().data
      .id as string,
  );
  const csv = await waitFinal(
    s,
    (await createExport(s, { dataset: 'leads', name: 'plain', compression: 'none' })).json().data
      .id as string,
  );
  expect([gz.status, csv.status]).toEqual(['completed', 'completed']);
  gzUrl = gz.download_url!;
  gzPath = s.engine.exports.servedFile(gz.id, gz.files[0]!.filename).path;
  csvUrl = csv.download_url!;
  csvPath = s.engine.exports.servedFile(csv.id, csv.files[0]!.filename).path;
}, 60_000);
afterAll(async () => s.close());

const decode: Record<string, (b: Buffer) => Buffer> = {
  br: brotliDecompressSync,
  gzip: gunzipSync,
  deflate: inflateSync,
};

describe('JSON answers compressed on request', () => {
  it('sends the list as is without Accept-Encoding', async () => {
    const res = await s.call({ method: 'GET', url: '/v1/exports?limit=50' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.json().data.length).toBeGreaterThan(10);
  });

  for (const encoding of ['br', 'gzip', 'deflate'])
    it(`compresses the list with ${encoding} when asked, the same JSON once decoded`, async () => {
      const plain = await s.call({ method: 'GET', url: '/v1/exports?limit=50' });
      const res = await s.call({
        method: 'GET',
        url: '/v1/exports?limit=50',
        headers: { 'accept-encoding': encoding },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
      expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
      const body = JSON.parse(decode[encoding]!(res.rawPayload).toString('utf8'));
      // Links are minted per read; everything else is the same answer.
      const ids = (b: { data: { id: string; status: string }[] }) =>
        b.data.map((e) => [e.id, e.status]);
      expect(ids(body)).toEqual(ids(plain.json()));
    });

  it('picks the first encoding the client accepts, in the server order br > gzip', async () => {
    const res = await s.call({
      method: 'GET',
      url: '/v1/exports?limit=50',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(res.headers['content-encoding']).toBe('br');
  });

  it('leaves small answers and errors under 1 KB alone', async () => {
    const res = await s.call({
      method: 'GET',
      url: '/v1/exports/not-an-id',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.json().error.code).toBe('INVALID_REQUEST');
  });
});

describe('files are never compressed again', () => {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('a .csv.gz link answers the stored bytes whatever the client accepts', async () => {
    const stored = readFileSync(gzPath);
    const res = await fetchLink(s, gzUrl, { 'accept-encoding': 'gzip, br, deflate' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(Number(res.headers['content-length'])).toBe(stored.length);
    expect(sha(res.rawPayload)).toBe(sha(stored));
  });

  it('a plain .csv link too, and a range of it is byte-exact', async () => {
    const stored = readFileSync(csvPath);
    expect(stored.length).toBeGreaterThan(2048);
    const whole = await fetchLink(s, csvUrl, { 'accept-encoding': 'gzip, br' });
    expect(whole.headers['content-encoding']).toBeUndefined();
    expect(sha(whole.rawPayload)).toBe(sha(stored));
    const part = await fetchLink(s, csvUrl, { 'accept-encoding': 'gzip', range: 'bytes=100-1299' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-encoding']).toBeUndefined();
    expect(part.headers['content-range']).toBe(`bytes 100-1299/${stored.length}`);
    expect(part.rawPayload.equals(stored.subarray(100, 1300))).toBe(true);
  });

  it('a gzip request body is not inflated: refused by name (415), nothing is created', async () => {
    const before = (await s.call({ method: 'GET', url: '/v1/exports/counts' })).json();
    const res = await s.call({
      method: 'POST',
      url: '/v1/exports',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(res.json().error.message).toContain('Content-Encoding "gzip"');
    const after = (await s.call({ method: 'GET', url: '/v1/exports/counts' })).json();
    expect(after.data.total).toBe(before.data.total);
  });
});
