// zstd for exports: one zstd stream whose compression runs on libuv's pool while the export thread
// encodes the next rows, so two cores work. One frame, not a frame per block: Node's (and so
// Electron's) zstd decoder stops after the first frame of a file, and every reader must read ours.
import { once } from 'node:events';
import { constants, createZstdCompress } from 'node:zlib';
import type { BlockSink } from './parallel-gzip.ts';

const QUEUED = 2 * 1024 * 1024;

/** Compresses the blocks as one zstd frame (with its checksum), writing output to `write` in order. */
export function zstdBlocks(level: number, write: (chunk: Buffer) => Promise<void>): BlockSink {
  const z = createZstdCompress({
    params: {
      [constants.ZSTD_c_compressionLevel]: level,
      // The frame carries a checksum of its content, so a damaged file fails on decompression.
      [constants.ZSTD_c_checksumFlag]: 1,
    },
    chunkSize: 1024 * 1024,
  });
  const drained = (async () => {
    for await (const chunk of z) await write(chunk as Buffer);
  })();
  // Awaited (and thrown) by push and end; this keeps a failure from being "unhandled" meanwhile.
  drained.catch(() => undefined);

  return {
    async push(block) {
      if (block.length === 0) return;
      // A copy: the caller reuses the block's memory once this resolves.
      z.write(Buffer.from(block));
      // Up to QUEUED bytes wait for the pool, so it always has input while memory stays small.
      if (z.writableLength > QUEUED) await Promise.race([once(z, 'drain'), drained]);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    },
    async end() {
      z.end();
      await drained;
    },
  };
}
