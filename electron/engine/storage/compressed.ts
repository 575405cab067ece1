// The two compressions a file may carry (gzip, zstd): told by magic bytes or by the name's suffix.
import { closeSync, openSync, readSync } from 'node:fs';
import type { Transform } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';

export type Compressed = 'gzip' | 'zstd';

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** gzip (1f 8b) or zstd (28 b5 2f fd) by the file's first bytes, else null. */
export function sniffCompression(path: string): Compressed | null {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const n = readSync(fd, b, 0, 4, 0);
    if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (n === 4 && ZSTD_MAGIC.every((x, i) => b[i] === x)) return 'zstd';
    return null;
  } finally {
    closeSync(fd);
  }
}

/** By the name: `.gz` or `.zst`, else null. */
export function compressionOfName(name: string): Compressed | null {
  if (/\.gz$/i.test(name)) return 'gzip';
  if (/\.zst$/i.test(name)) return 'zstd';
  return null;
}

/** The name without its `.gz` / `.zst` suffix. */
export function stripCompressionSuffix(name: string): string {
  return name.replace(/\.(gz|zst)$/i, '');
}

export function decompressor(kind: Compressed): Transform {
  return kind === 'zstd'
    ? createZstdDecompress({ chunkSize: 1 << 18 })
    : createGunzip({ chunkSize: 1 << 18 });
}
