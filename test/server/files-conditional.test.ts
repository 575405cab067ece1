// Conditional requests on presigned files, as wget -N, curl -z / -R and resuming clients send them:
// Last-Modified, If-Match / If-Unmodified-Since → 412, If-Modified-Since → 304, If-Range by date.
import { utimesSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExport, fetchLink, waitFinal } from '../helpers/exports.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { preconditions, rangeApplies } from '../../electron/server/conditional.ts';

let s: TestServer;
let url: string;
let etag: string;
let lastModified: string;
let filePath: string;
beforeAll(async () => {
  s = await makeServer({ demoRows: 500, exportsTestSeams: { progressMs: 0 } });
  const created = await createExport(s, { dataset: 'leads', name: 'dated', compression: 'gzip' });
  const exp = await waitFinal(s, created.json().data.id as string);
  expect(exp.status).toBe('completed');
  url = exp.download_url!;
  filePath = s.engine.exports.servedFile(exp.id, exp.files[0]!.filename).path;
  const head = await fetchLink(s, url, {});
  etag = String(head.headers.etag);
  lastModified = String(head.headers['last-modified']);
});
afterAll(async () => s.close());

const at = (httpDate: string, seconds: number) =>
  new Date(Date.parse(httpDate) + seconds * 1000).toUTCString();

describe('conditional requests on a presigned file', () => {
  it('sends Last-Modified, an HTTP date in whole seconds, on GET and HEAD', async () => {
    expect(lastModified).toMatch(
      /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    );
    const head = await s.call({
      method: 'HEAD',
      url: new URL(url).pathname + new URL(url).search,
      key: null,
    });
    expect(head.headers['last-modified']).toBe(lastModified);
  });

  it('answers 412 in the envelope when If-Match names another file, 200 when it names this one', async () => {
    const refused = await fetchLink(s, url, { 'if-match': '"0000"' });
    expect(refused.statusCode).toBe(412);
    expect(refused.json().error.code).toBe('PRECONDITION_FAILED');
    // If-Match compares strongly: a weak tag of the same value does not match.
    expect((await fetchLink(s, url, { 'if-match': `W/${etag}` })).statusCode).toBe(412);
    expect((await fetchLink(s, url, { 'if-match': `"x", ${etag}` })).statusCode).toBe(200);
    expect((await fetchLink(s, url, { 'if-match': '*' })).statusCode).toBe(200);
  });

  it('answers 412 when the file changed after If-Unmodified-Since, and ignores a date it cannot read', async () => {
    expect(
      (await fetchLink(s, url, { 'if-unmodified-since': at(lastModified, -60) })).statusCode,
    ).toBe(412);
    expect((await fetchLink(s, url, { 'if-unmodified-since': lastModified })).statusCode).toBe(200);
    expect((await fetchLink(s, url, { 'if-unmodified-since': 'yesterday' })).statusCode).toBe(200);
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified (wget -N, curl -z)', async () => {
    expect((await fetchLink(s, url, { 'if-modified-since': lastModified })).statusCode).toBe(304);
    expect(
      (await fetchLink(s, url, { 'if-modified-since': at(lastModified, 3600) })).statusCode,
    ).toBe(304);
    const newer = await fetchLink(s, url, { 'if-modified-since': at(lastModified, -1) });
    expect(newer.statusCode).toBe(200);
    expect(newer.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    // If-None-Match decides when both are sent.
    const both = { 'if-none-match': '"other"', 'if-modified-since': at(lastModified, 3600) };
    expect((await fetchLink(s, url, both)).statusCode).toBe(200);
  });

  it('resumes with If-Range by date only when the date is the file’s own', async () => {
    const resumed = await fetchLink(s, url, { range: 'bytes=0-9', 'if-range': lastModified });
    expect(resumed.statusCode).toBe(206);
    const whole = await fetchLink(s, url, { range: 'bytes=0-9', 'if-range': at(lastModified, -5) });
    expect(whole.statusCode).toBe(200);
  });

  it('follows the file: once rewritten, the old date fails If-Unmodified-Since and If-Range', async () => {
    const later = new Date(Date.parse(lastModified) + 120_000);
    utimesSync(filePath, later, later);
    const res = await fetchLink(s, url, { 'if-unmodified-since': lastModified });
    expect(res.statusCode).toBe(412);
    expect(res.headers['last-modified']).toBe(later.toUTCString());
    const range = await fetchLink(s, url, { range: 'bytes=0-9', 'if-range': lastModified });
    expect(range.statusCode).toBe(200);
  });
});

describe('the precondition rules', () => {
  const v = { etag: '"abc"', lastModified: Date.parse('Sat, 05 Dec 2026 12:00:00 GMT') };
  it('puts If-Match before If-Unmodified-Since and If-None-Match before If-Modified-Since', () => {
    // A matching If-Match makes If-Unmodified-Since irrelevant (RFC 9110 section 13.2.2).
    expect(
      preconditions(
        { 'if-match': '"abc"', 'if-unmodified-since': 'Sat, 05 Dec 2026 11:00:00 GMT' },
        v,
      ),
    ).toBe('send');
    expect(
      preconditions(
        { 'if-none-match': 'W/"abc"', 'if-modified-since': 'Sat, 05 Dec 2026 11:00:00 GMT' },
        v,
      ),
    ).toBe('not-modified');
    expect(preconditions({}, v)).toBe('send');
    expect(rangeApplies(undefined, v)).toBe(true);
    expect(rangeApplies('W/"abc"', v)).toBe(false);
    expect(rangeApplies('"abc"', v)).toBe(true);
  });
});
