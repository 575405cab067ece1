import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  defaultDownloadSettings,
  downloadToPart,
} from '../../../electron/engine/providers/vendor-files/download-file.ts';
import {
  nameFromUrl,
  sanitizeFilename,
  uniqueName,
  withHonestExtension,
} from '../../../electron/engine/providers/vendor-files/filenames.ts';
import {
  createRowCounter,
  verifyFile,
} from '../../../electron/engine/providers/vendor-files/verify.ts';
import { silentLogger } from '../../../electron/engine/logger.ts';
import {
  createHttpClient,
  defaultHttpSettings,
} from '../../../electron/engine/providers/http-client.ts';
import { createTokenBucket } from '../../../electron/engine/providers/politeness.ts';
import {
  backoffDelay,
  parseRetryAfter,
  retryDelay,
} from '../../../electron/engine/providers/retry-policy.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { gzipBomb, makeCsv } from '../../fixtures/vendors/csv-data.ts';
import { tempDir } from '../../helpers/context.ts';

const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dir = () => {
  const d = tempDir('em-dl-');
  dirs.push(d);
  return d;
};
const signal = new AbortController().signal;

describe('vendor file names', () => {
  it.each([
    ['../../.bashrc', 'bashrc'],
    ['C:\\x', 'x'],
    ['C:\\Windows\\system32\\evil.csv', 'evil.csv'],
    ['a\u0000b\u001f.csv.gz', 'ab.csv.gz'],
    ['report:1?.csv', 'report-1-.csv'],
    ['CON.csv', '_CON.csv'],
    ['leads.csv.part', 'leads.csv-part'],
    ['...', 'fallback.csv.gz'],
    ['', 'fallback.csv.gz'],
    [null, 'fallback.csv.gz'],
    ['données été.csv', 'données été.csv'],
    // Served under a URL later: no percent-escape may decode into a path or a NUL.
    ['..%2F..%2Fescaped.csv.gz', '2F..-2Fescaped.csv.gz'],
    ['x%00y.csv', 'x-00y.csv'],
    ['100%.csv', '100-.csv'],
  ])('%j -> %j', (raw, safe) => {
    expect(sanitizeFilename(raw, 'fallback.csv.gz')).toBe(safe);
  });

  it('keeps the extension when shortening a very long name', () => {
    const name = sanitizeFilename('x'.repeat(500) + '.csv.gz', 'f');
    expect(name.length).toBeLessThanOrEqual(180);
    expect(name.endsWith('.csv.gz')).toBe(true);
  });

  it('makes the extension honest and names unique', () => {
    expect(withHonestExtension('bashrc', true)).toBe('bashrc.csv.gz');
    expect(withHonestExtension('leads.csv', true)).toBe('leads.csv.gz');
    expect(withHonestExtension('leads.csv.gz', false)).toBe('leads.csv');
    expect(withHonestExtension('download', false)).toBe('download.csv');
    const taken = new Set<string>();
    expect(['a.csv.gz', 'A.csv.gz', 'a.csv.gz'].map((n) => uniqueName(n, taken))).toEqual([
      'a.csv.gz',
      'A-2.csv.gz',
      'a-3.csv.gz',
    ]);
    expect(nameFromUrl('https://s.test/x/exp_1.csv.gz?token=1')).toBe('exp_1.csv.gz');
    expect(nameFromUrl('https://api.test/v1/exports/1/download')).toBeNull();
  });
});

describe('row counting', () => {
  it('counts CSV records, not lines, whatever the chunking', () => {
    const csv = makeCsv(50, 1);
    for (const size of [1, 3, 64, 100_000]) {
      const c = createRowCounter('csv');
      const buf = Buffer.from(csv);
      for (let i = 0; i < buf.length; i += size) c.push(buf.subarray(i, i + size));
      expect(c.rows()).toBe(50);
    }
    const noTrailing = createRowCounter('csv');
    noTrailing.push(Buffer.from('a,b\r\n1,2\r\n3,"x\r\ny"'));
    expect(noTrailing.rows()).toBe(2);
    const jsonl = createRowCounter('jsonl');
    jsonl.push(Buffer.from('{"a":1}\n\n{"a":"x\\ny"}\n  \n{"a":3}'));
    expect(jsonl.rows()).toBe(3);
  });

  it('agrees with a byte-by-byte reference on random CSV and JSONL, in random chunks', () => {
    // The reference: every byte visited, quotes toggling, blanks not counting as content.
    const reference = (format: 'csv' | 'jsonl', buf: Buffer) => {
      let lines = 0;
      let inQuote = false;
      let content = false;
      for (const c of buf) {
        if (c === 0x22 && format === 'csv') inQuote = !inQuote;
        if (c === 0x0a && !inQuote) {
          if (format === 'csv' || content) lines++;
          content = false;
        } else if (c !== 0x0d && c !== 0x20 && c !== 0x09 && c !== 0x0a) content = true;
      }
      const records = lines + (content ? 1 : 0);
      return format === 'csv' ? Math.max(0, records - 1) : records;
    };
    const alphabet = fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '\t', '{', '1');
    fc.assert(
      fc.property(
        fc.constantFrom('csv' as const, 'jsonl' as const),
        fc.array(alphabet, { maxLength: 200 }).map((a) => Buffer.from(a.join(''))),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (format, buf, cuts) => {
          const c = createRowCounter(format);
          let pos = 0;
          for (let k = 0; pos < buf.length; k++) {
            const size = cuts[k % cuts.length]!;
            c.push(buf.subarray(pos, pos + size));
            pos += size;
          }
          expect(c.rows()).toBe(reference(format, buf));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('verification', () => {
  it('a plain CSV passes with its rows; a wrong sha256 is CHECKSUM_MISMATCH', async () => {
    const path = join(dir(), 'f.csv');
    writeFileSync(path, makeCsv(12, 2));
    const v = await verifyFile(
      path,
      { size: null, sha256: null, rowCount: 12, gzip: null, format: 'csv' },
      { maxOutputBytes: 1e9, maxRatio: 100, ratioFloorBytes: 1e6 },
      signal,
    );
    expect(v).toMatchObject({ gzip: false, rowCount: 12 });
    await expect(
      verifyFile(
        path,
        { size: null, sha256: 'ab'.repeat(32), rowCount: null, gzip: null, format: 'csv' },
        { maxOutputBytes: 1e9, maxRatio: 100, ratioFloorBytes: 1e6 },
        signal,
      ),
    ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  });

  it('a file the vendor called gzip but is not, fails; a bomb stops at the output cap', async () => {
    const d = dir();
    writeFileSync(join(d, 'fake.csv.gz'), 'id\n1\n');
    await expect(
      verifyFile(
        join(d, 'fake.csv.gz'),
        { size: null, sha256: null, rowCount: null, gzip: true, format: 'csv' },
        { maxOutputBytes: 1e9, maxRatio: 100, ratioFloorBytes: 1e6 },
        signal,
      ),
    ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    writeFileSync(join(d, 'bomb.csv.gz'), gzipBomb(512 * 1024 ** 2));
    await expect(
      verifyFile(
        join(d, 'bomb.csv.gz'),
        { size: null, sha256: null, rowCount: null, gzip: null, format: 'csv' },
        { maxOutputBytes: 8 * 1024 ** 2, maxRatio: 1e9, ratioFloorBytes: 1e12 },
        signal,
      ),
    ).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringMatching(/gzip bomb/),
    });
    // A legitimately compressible file under the caps passes.
    writeFileSync(join(d, 'ok.csv.gz'), gzipSync(Buffer.from(makeCsv(1000, 3))));
    await expect(
      verifyFile(
        join(d, 'ok.csv.gz'),
        { size: null, sha256: null, rowCount: 1000, gzip: true, format: 'csv' },
        { maxOutputBytes: 8 * 1024 ** 2, maxRatio: 100, ratioFloorBytes: 1024 },
        signal,
      ),
    ).resolves.toMatchObject({ gzip: true, rowCount: 1000 });
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or an HTTP date, and honours it (capped)', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    const s = { minDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
    expect(retryDelay(1, 2000, s, () => 0)).toBe(2000);
    expect(retryDelay(1, 2000, s, () => 1)).toBeLessThanOrEqual(2200);
    expect(retryDelay(1, 60_000, s, () => 0)).toBe(5000);
    for (let a = 1; a < 10; a++) {
      const d = backoffDelay(a, s);
      const step = Math.min(1000, 100 * 2 ** (a - 1));
      expect(d).toBeGreaterThanOrEqual(step / 2);
      expect(d).toBeLessThanOrEqual(step);
    }
  });

  it('the token bucket spaces requests at the allowed rate', async () => {
    const clock = FakeClock.autoFiring();
    const bucket = createTokenBucket(clock, () => 5);
    const t0 = clock.now();
    const at: number[] = [];
    for (let i = 0; i < 15; i++) {
      await bucket.take();
      at.push(clock.now() - t0);
    }
    expect(at.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(at[14]).toBeGreaterThanOrEqual(2000);
  });
});

describe('disk full', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'ENOSPC while downloading is DISK_FULL and removes the part',
    async () => {
      const body = Buffer.alloc(256 * 1024, 1);
      const server = createServer((_req, res) => res.end(body));
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f.csv.gz`;
      const d = dir();
      mkdirSync(d, { recursive: true });
      const part = join(d, 'f.csv.gz.part');
      symlinkSync('/dev/full', part);
      const clock = FakeClock.autoFiring();
      const http = createHttpClient(
        { clock, logger: silentLogger },
        { origin: 'http://vendor.test', credential: null, requestsPerSecond: () => 100 },
        defaultHttpSettings,
      );
      try {
        await expect(
          downloadToPart({
            url,
            partPath: part,
            expectedSize: body.length,
            http,
            providerOrigin: 'http://vendor.test',
            resume: { validator: null },
            signal,
            clock,
            logger: silentLogger,
            settings: defaultDownloadSettings,
            onProgress: () => undefined,
          }),
        ).rejects.toMatchObject({ code: 'DISK_FULL' });
        expect(existsSync(part)).toBe(false);
      } finally {
        await http.close();
      }
    },
  );
});
