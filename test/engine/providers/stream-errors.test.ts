// A downloader driven by lying storage servers: random byte_size, Content-Length, body length,
// Content-Range, trailing bytes after the gzip and cut connections. Nothing may escape as an
// uncaught error; each file either downloads whole and verifies, or fails with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  defaultDownloadSettings,
  downloadToPart,
} from '../../../electron/engine/providers/vendor-files/download-file.ts';
import { verifyFile } from '../../../electron/engine/providers/vendor-files/verify.ts';
import { JobError } from '../../../electron/engine/jobs/job-types.ts';
import { silentLogger } from '../../../electron/engine/logger.ts';
import {
  createHttpClient,
  defaultHttpSettings,
} from '../../../electron/engine/providers/http-client.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { makeCsv } from '../../fixtures/vendors/csv-data.ts';
import { tempDir } from '../../helpers/context.ts';

export interface Lie {
  /** Added to the true size in the vendor's byte_size (null: the vendor gives none). */
  readonly sizeDelta: number | null;
  /** Added to the length of the body actually sent, in Content-Length (null: chunked). */
  readonly lengthDelta: number | null;
  /** Bytes of junk after the gzip member. */
  readonly trailing: number;
  /** On a resume: added to the asked offset in Content-Range (null: answer honestly). */
  readonly rangeDelta: number | null;
  /** Answer a resume with a 206 whose Content-Range is not parsable. */
  readonly rangeGarbage: boolean;
  /** The first N answers are cut after this share of the body (0..1). */
  readonly cuts: number;
  readonly cutAt: number;
  /** Destroy the socket (RST-like) instead of ending it. */
  readonly reset: boolean;
}

const unexpected: unknown[] = [];
/** Every uncaught error of the whole file (never reset). */
const everUnexpected: unknown[] = [];
const onUncaught = (e: unknown) => {
  unexpected.push(e);
  everUnexpected.push(e);
};
let server: Server;
let port = 0;
let current: { lie: Lie; file: Buffer; answers: number } | null = null;
const sockets = new Set<Socket>();

function answer(socket: Socket, head: string): void {
  const s = current!;
  const n = s.answers++;
  const range = /range: bytes=(\d+)-/i.exec(head);
  const from = range ? Number(range[1]) : 0;
  let status = '200 OK';
  let body = s.file;
  const headers = ['ETag: "v1"', 'Connection: close'];
  if (range) {
    status = '206 Partial Content';
    const start = s.lie.rangeDelta === null ? from : Math.max(0, from + s.lie.rangeDelta);
    body = s.file.subarray(start);
    headers.push(
      s.lie.rangeGarbage
        ? 'Content-Range: bytes whatever'
        : `Content-Range: bytes ${start}-${s.file.length - 1}/${s.file.length}`,
    );
  }
  if (s.lie.lengthDelta !== null)
    headers.push(`Content-Length: ${Math.max(0, body.length + s.lie.lengthDelta)}`);
  socket.write(`HTTP/1.1 ${status}\r\n${headers.join('\r\n')}\r\n\r\n`);
  const cutHere = n < s.lie.cuts;
  const send = cutHere ? body.subarray(0, Math.floor(body.length * s.lie.cutAt)) : body;
  if (s.lie.lengthDelta === null) {
    // chunked framing, written by hand so a cut leaves it unfinished
    socket.write(
      send.length ? Buffer.concat([Buffer.from(`${send.length.toString(16)}\r\n`), send]) : '',
    );
    if (!cutHere) socket.write(`${send.length ? '\r\n' : ''}0\r\n\r\n`);
  } else socket.write(send);
  if (cutHere && s.lie.reset) socket.resetAndDestroy();
  else socket.end();
}

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (d) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n') && current) {
        answer(socket, head);
        head = '';
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const lieArb: fc.Arbitrary<Lie> = fc.record({
  sizeDelta: fc.option(fc.constantFrom(-1, 0, 0, 1, 7), { nil: null }),
  lengthDelta: fc.option(fc.constantFrom(-1, 0, 0, 1, 100), { nil: null }),
  trailing: fc.constantFrom(0, 0, 1, 17),
  rangeDelta: fc.option(fc.constantFrom(-1, 1, -100), { nil: null }),
  rangeGarbage: fc.boolean(),
  cuts: fc.constantFrom(0, 1, 2, 20),
  cutAt: fc.double({ min: 0, max: 0.99, noNaN: true }),
  reset: fc.boolean(),
});

const gz = gzipSync(Buffer.from(makeCsv(3000, 7)));
const ROWS = 3000;

/** Downloads and verifies one file as a vendor export does; says how it ended. */
export async function driveOnce(lie: Lie): Promise<{ ok: boolean; reason: string }> {
  unexpected.length = 0;
  const file = Buffer.concat([gz, Buffer.alloc(lie.trailing, 0x41)]);
  current = { lie, file, answers: 0 };
  const dir = tempDir('em-lies-');
  const clock = FakeClock.autoFiring();
  const http = createHttpClient(
    { clock, logger: silentLogger },
    { origin: 'http://vendor.test', credential: null, requestsPerSecond: () => 1000 },
    { ...defaultHttpSettings, headersTimeoutMs: 3000, bodyTimeoutMs: 3000 },
  );
  const part = join(dir, 'f.csv.gz.part');
  try {
    await downloadToPart({
      url: `http://127.0.0.1:${port}/f.csv.gz`,
      partPath: part,
      expectedSize: lie.sizeDelta === null ? null : file.length + lie.sizeDelta,
      http,
      providerOrigin: 'http://vendor.test',
      resume: { validator: null },
      signal: new AbortController().signal,
      clock,
      logger: silentLogger,
      settings: { ...defaultDownloadSettings, maxAttempts: 4, minDelayMs: 10, maxDelayMs: 50 },
      onProgress: () => undefined,
    });
    await verifyFile(
      part,
      {
        size: lie.sizeDelta === null ? null : file.length + lie.sizeDelta,
        sha256: null,
        rowCount: ROWS,
        gzip: true,
        format: 'csv',
      },
      { maxOutputBytes: 1e9, maxRatio: 1e6, ratioFloorBytes: 1e9 },
      new AbortController().signal,
    );
    return { ok: true, reason: 'completed' };
  } catch (err) {
    if (!(err instanceof JobError)) throw err;
    expect(err.message.length).toBeGreaterThan(10);
    return { ok: false, reason: `${err.code}: ${err.message}` };
  } finally {
    await http.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a downloader against lying storage', () => {
  it.each<[string, Partial<Lie>]>([
    ['byte_size one byte smaller than Content-Length', { sizeDelta: -1 }],
    ['trailing bytes after the gzip', { trailing: 17 }],
    ['a 206 at the wrong offset on resume', { rangeDelta: -1, cuts: 1, cutAt: 0.5 }],
    ['a 206 with an unreadable Content-Range', { rangeGarbage: true, cuts: 1, cutAt: 0.5 }],
    ['Content-Length larger than the body', { lengthDelta: 100 }],
    ['connections reset mid-file every time', { cuts: 20, cutAt: 0.3, reset: true }],
  ])('%s: fails or completes with a reason, nothing uncaught', async (_name, partial) => {
    const lie: Lie = {
      sizeDelta: 0,
      lengthDelta: 0,
      trailing: 0,
      rangeDelta: null,
      rangeGarbage: false,
      cuts: 0,
      cutAt: 0,
      reset: false,
      ...partial,
    };
    const out = await driveOnce(lie);
    await new Promise((r) => setTimeout(r, 50));
    expect(unexpected).toEqual([]);
    expect(out.reason).toMatch(/completed|[A-Z_]+: ./);
  });

  it('random mismatches: never an uncaught error, always a reason', async () => {
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(lieArb, async (lie) => {
        const out = await driveOnce(lie);
        const key = out.ok ? 'completed' : out.reason.split(':')[0]!;
        seen[key] = (seen[key] ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 30));
        expect(unexpected).toEqual([]);
      }),
      { numRuns: Number(process.env.LIE_CASES ?? 60), seed: Number(process.env.LIE_SEED ?? 2112) },
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(everUnexpected).toEqual([]);
    // Both ends are reached: some lies are survived (resumed, restarted), others refused.
    expect(seen.completed).toBeGreaterThan(0);
    expect(Object.keys(seen).length).toBeGreaterThan(1);
    console.log(
      'outcomes of',
      Object.values(seen).reduce((a, b) => a + b, 0),
      'lies:',
      seen,
    );
  });
});
