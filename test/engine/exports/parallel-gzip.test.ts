// parallelGzip: one ordinary gzip member out of blocks deflated side by side, and how many
// deflate at once (calm while the caller encodes, every queued block once it waits).
import { randomBytes } from 'node:crypto';
import { deflateRaw, gunzipSync, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parallelGzip } from '../../../electron/engine/exports/parallel-gzip.ts';

const realDeflate = promisify(deflateRaw) as (b: Buffer, o: ZlibOptions) => Promise<Buffer>;

/** Text that compresses like CSV (repeats within the 32 KiB window) with some noise. */
function csvLike(bytes: number, seed: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `${seed * 1_000_000 + i},2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z,name ${i % 97},${randomBytes(4).toString('hex')}\r\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

describe('parallelGzip', () => {
  it('writes one gzip member that any reader reads back, with the caller reusing its buffers', async () => {
    for (const calm of [1, 3]) {
      const blocks = [0, 1, 2, 3, 4, 5, 6].map((i) => csvLike(i === 3 ? 10 : 40_000 + i * 1000, i));
      const out: Buffer[] = [];
      const sink = parallelGzip(6, 3, async (c) => void out.push(Buffer.from(c)), { calm });
      // The caller rotates inFlight + 1 buffers and overwrites each once push resolves.
      const ring = Array.from({ length: 4 }, () => Buffer.alloc(60_000));
      for (let i = 0; i < blocks.length; i++) {
        const buf = ring[i % ring.length]!;
        blocks[i]!.copy(buf);
        await sink.push(buf.subarray(0, blocks[i]!.length));
        if (i >= 1) ring[(i + 1) % ring.length]!.fill(0x41);
      }
      await sink.end();
      const gz = Buffer.concat(out);
      expect(gunzipSync(gz).equals(Buffer.concat(blocks))).toBe(true);
      // One member: the deflate stream after the first header holds everything (a search for a
      // second header's bytes also matched random compressed data, about once in 20 runs).
      expect(inflateRawSync(gz.subarray(10, gz.length - 8)).equals(Buffer.concat(blocks))).toBe(
        true,
      );
    }
  });

  it('deflates `calm` blocks at once while the caller encodes, all queued ones once it waits, and writes in order', async () => {
    let running = 0;
    let most = 0;
    const mostWhileBusy: number[] = [];
    const pending: { resolve: () => void }[] = [];
    const deflate = async (block: Buffer, options: ZlibOptions): Promise<Buffer> => {
      running++;
      most = Math.max(most, running);
      // Jobs finish when the test says so (out of order below).
      await new Promise<void>((resolve) => pending.push({ resolve }));
      running--;
      return realDeflate(block, options);
    };
    const out: Buffer[] = [];
    const sink = parallelGzip(6, 3, async (c) => void out.push(Buffer.from(c)), {
      calm: 1,
      deflate,
    });
    const blocks = [0, 1, 2, 3].map((i) => csvLike(5000, i));
    // Two pushes return at once (room for three): only one block deflates meanwhile.
    await sink.push(Buffer.from(blocks[0]!));
    await sink.push(Buffer.from(blocks[1]!));
    await new Promise((r) => setImmediate(r));
    mostWhileBusy.push(most);
    expect(running).toBe(1);
    // The third push fills the queue: the caller waits, so every queued block deflates.
    const third = sink.push(Buffer.from(blocks[2]!));
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(3);
    // The last job finishes first; the output still waits for the first block.
    pending[2]!.resolve();
    await new Promise((r) => setTimeout(r, 20));
    expect(out.length).toBe(1); // the header only
    pending[0]!.resolve();
    await third;
    expect(running).toBe(1); // the second block, still deflating
    pending[1]!.resolve();
    await new Promise((r) => setTimeout(r, 20));
    expect(running).toBe(0);
    // The caller is busy again: the fourth block starts alone (calm) and push returns at once.
    await sink.push(Buffer.from(blocks[3]!));
    expect(running).toBe(1);
    const end = sink.end();
    pending[3]!.resolve();
    await end;
    expect(pending.length).toBe(4);
    expect(mostWhileBusy).toEqual([1]);
    expect(most).toBe(3);
    expect(gunzipSync(Buffer.concat(out)).equals(Buffer.concat(blocks))).toBe(true);
  });

  it('fails push or end with the deflate error, and writes nothing after it', async () => {
    const out: Buffer[] = [];
    const sink = parallelGzip(6, 2, async (c) => void out.push(c), {
      calm: 1,
      deflate: async () => {
        throw new Error('deflate broke');
      },
    });
    await sink.push(csvLike(1000, 1));
    await expect(
      (async () => {
        await sink.push(csvLike(1000, 2));
        await sink.end();
      })(),
    ).rejects.toThrow('deflate broke');
    expect(out.length).toBe(1); // the header
  });
});
