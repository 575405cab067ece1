import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { verifyFile } from '../../electron/engine/providers/vendor-files/verify.ts';
import { zstdBlocks } from '../../electron/engine/exports/zstd-blocks.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { createExport, fetchLink, gunzipText, waitFinal } from '../helpers/exports.ts';
import { tempDir } from '../helpers/context.ts';

let s: TestServer;
beforeEach(async () => {
  s = await makeServer({ demoRows: 3000, exportsTestSeams: { progressMs: 0 } });
});
afterEach(async () => s.close());

async function complete(body: Record<string, unknown>) {
  const res = await createExport(s, body);
  expect(res.statusCode, res.body).toBe(202);
  return waitFinal(s, res.json().data.id);
}

const limits = { maxOutputBytes: 1e9, maxRatio: 1e6, ratioFloorBytes: 1e12 };
const signal = new AbortController().signal;

describe('zstd exports', () => {
  it('writes .csv.zst at level 3 by default, served as application/zstd, the same rows as gzip', async () => {
    const zst = await complete({ dataset: 'leads', compression: 'zstd', name: 'all leads' });
    expect(zst.status).toBe('completed');
    expect(zst.compression).toBe('zstd');
    expect(zst.compression_level).toBe(3);
    expect(zst.files[0]!.filename).toBe('all-leads.csv.zst');
    const file = await fetchLink(s, zst.download_url!);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/zstd');
    expect(createHash('sha256').update(file.rawPayload).digest('hex')).toBe(zst.files[0]!.sha256);
    const text = zstdDecompressSync(file.rawPayload).toString('utf8');
    const gz = await complete({ dataset: 'leads', compression: 'gzip' });
    const gzText = gunzipText((await fetchLink(s, gz.download_url!)).rawPayload);
    expect(text).toBe(gzText);
    expect(parse(text, { columns: true })).toHaveLength(3000);
  });

  it('a zstd export saved decompressed lands as plain .csv; kept compressed as .csv.zst', async () => {
    const dir = tempDir();
    const a = await complete({
      dataset: 'leads',
      compression: 'zstd',
      compression_level: 9,
      columns: ['id'],
      name: 'daily',
      destination: { dir, decompress: true },
    });
    expect(a.destination?.saved_paths).toEqual([join(dir, 'daily.csv')]);
    expect(readFileSync(join(dir, 'daily.csv'), 'utf8').split('\r\n').filter(Boolean)).toHaveLength(
      3001,
    );
    const b = await complete({
      dataset: 'leads',
      compression: 'zstd',
      columns: ['id'],
      name: 'daily',
      destination: { dir },
    });
    expect(b.destination?.saved_paths).toEqual([join(dir, 'daily.csv.zst')]);
    expect(zstdDecompressSync(readFileSync(join(dir, 'daily.csv.zst'))).toString()).toContain('id');
    expect(readdirSync(dir).sort()).toEqual(['daily.csv', 'daily.csv.zst']);
  });

  it('refuses a level outside 1-9 and an unknown compression', async () => {
    const bad = await createExport(s, {
      dataset: 'leads',
      compression: 'zstd',
      compression_level: 19,
    });
    expect(bad.statusCode).toBe(400);
    const unknown = await createExport(s, { dataset: 'leads', compression: 'brotli' });
    expect(unknown.statusCode).toBe(400);
  });
});

describe('zstd blocks and verification', () => {
  it('blocks compress to one frame that decompresses, in order, to the input (also when empty)', async () => {
    const out: Buffer[] = [];
    const sink = zstdBlocks(3, async (b) => void out.push(Buffer.from(b)));
    const blocks = Array.from({ length: 9 }, (_, i) =>
      Buffer.from(`block ${i};`.repeat(100_000 + i)),
    );
    const reused = Buffer.alloc(1 << 20);
    for (const b of blocks) {
      // The caller's buffer is reused as soon as push resolves.
      b.copy(reused);
      await sink.push(reused.subarray(0, b.length));
      reused.fill(0);
    }
    await sink.end();
    expect(zstdDecompressSync(Buffer.concat(out)).equals(Buffer.concat(blocks))).toBe(true);
    const empty: Buffer[] = [];
    const none = zstdBlocks(3, async (b) => void empty.push(b));
    await none.end();
    expect(zstdDecompressSync(Buffer.concat(empty)).length).toBe(0);
  });

  it('verifies a zstd download by content, writes its plain copy, and refuses a damaged one', async () => {
    const d = tempDir();
    const csv = 'id,name\n' + Array.from({ length: 500 }, (_, i) => `${i},"a, b"\n`).join('');
    const path = join(d, 'vendor.csv.zst');
    writeFileSync(path, zstdCompressSync(Buffer.from(csv)));
    const plain = join(d, 'vendor.csv.plain');
    const v = await verifyFile(
      path,
      { size: null, sha256: null, rowCount: 500, gzip: null, format: 'csv' },
      limits,
      signal,
      plain,
    );
    expect(v).toMatchObject({ gzip: false, zstd: true, rowCount: 500, plainCopy: plain });
    expect(readFileSync(plain, 'utf8')).toBe(csv);

    const damaged = Buffer.from(readFileSync(path));
    damaged.writeUInt8(damaged[20]! ^ 0xff, 20);
    writeFileSync(path, damaged.subarray(0, damaged.length - 3));
    const plain2 = join(d, 'damaged.plain');
    await expect(
      verifyFile(
        path,
        { size: null, sha256: null, rowCount: null, gzip: null, format: 'csv' },
        limits,
        signal,
        plain2,
      ),
    ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', message: expect.stringMatching(/zstd/) });
    expect(existsSync(plain2)).toBe(false);
  });

  it('stops a zstd bomb at the output cap', async () => {
    const d = tempDir();
    const path = join(d, 'bomb.csv.zst');
    writeFileSync(path, zstdCompressSync(Buffer.alloc(64 * 1024 ** 2, 0x41)));
    await expect(
      verifyFile(
        path,
        { size: null, sha256: null, rowCount: null, gzip: null, format: 'csv' },
        { maxOutputBytes: 8 * 1024 ** 2, maxRatio: 1e9, ratioFloorBytes: 1e12 },
        signal,
      ),
    ).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED' });
  });
});
