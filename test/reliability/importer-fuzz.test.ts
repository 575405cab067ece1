// The CSV importer fed random bytes, truncated files, ragged rows, bad UTF-8 and huge fields: it
// never crashes the server, and an import either is whole (every row exportable) or failed with
// a reason and nothing half usable left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Dataset } from '../../shared/schemas/datasets.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { waitFinal } from '../helpers/exports.ts';
import { recordFigures } from './figures.ts';

let s: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'em-import-fuzz-'));
const outcomes = { ready: 0, failed: 0 };

beforeAll(async () => {
  s = await makeServer({ demoRows: 0, exportsTestSeams: { progressMs: 0 } });
});
afterAll(async () => {
  recordFigures('importer_fuzz', { files: outcomes.ready + outcomes.failed, ...outcomes });
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

function validCsv(rows: number): string {
  const lines = ['id,created_at,name,amount,note'];
  for (let i = 1; i <= rows; i++)
    lines.push(`${i},2026-01-0${(i % 9) + 1}T00:00:00Z,"Name, ${i}",${i * 1.5},"say ""hi"""`);
  return lines.join('\n') + '\n';
}

/** A file a user might really point the importer at, gone wrong in one of many ways. */
const badFile = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((b) => ({ kind: 'random bytes', body: Buffer.from(b) })),
  fc
    .tuple(fc.integer({ min: 1, max: 400 }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([rows, cut]) => {
      const full = Buffer.from(validCsv(rows));
      return { kind: 'truncated', body: full.subarray(0, Math.floor(full.length * cut)) };
    }),
  fc.integer({ min: 1, max: 200 }).map((rows) => ({
    kind: 'truncated gzip',
    body: (() => {
      const gz = gzipSync(validCsv(rows));
      return gz.subarray(0, Math.max(1, gz.length - 9));
    })(),
  })),
  fc
    .array(fc.array(fc.string({ maxLength: 12 }), { maxLength: 8 }), { maxLength: 50 })
    .map((rows) => ({
      kind: 'ragged rows',
      body: Buffer.from(['a,b,c', ...rows.map((r) => r.join(','))].join('\n')),
    })),
  fc.constantFrom(
    {
      kind: 'bad utf-8',
      body: Buffer.concat([
        Buffer.from('a,b\n1,'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('\n'),
      ]),
    },
    { kind: 'unclosed quote', body: Buffer.from('a,b\n1,"never closed\n2,3\n') },
    { kind: 'huge field', body: Buffer.from(`a,b\n1,${'x'.repeat(2 * 1024 * 1024)}\n`) },
    { kind: 'header only', body: Buffer.from('a,b,c\n') },
    { kind: 'empty', body: Buffer.alloc(0) },
    { kind: 'duplicate columns', body: Buffer.from('a,a\n1,2\n') },
    { kind: 'NUL bytes', body: Buffer.from('a,b\n1,\u0000\u0000\n') },
  ),
);

async function settle(name: string): Promise<Dataset> {
  for (let i = 0; i < 600; i++) {
    const res = await s.call({ url: `/v1/datasets/${name}` });
    expect(res.statusCode, res.body).toBeLessThan(500);
    const d = res.json().data as Dataset;
    if (d.status !== 'importing') return d;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${name} still importing`);
}

describe('the importer against malformed files', () => {
  it('never crashes and never leaves a half dataset', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(badFile, fc.boolean(), async ({ body }, gz) => {
        const name = `fuzz_${++n}`;
        const file = join(dir, `${name}.csv${gz ? '.gz' : ''}`);
        writeFileSync(file, gz ? gzipSync(body) : body);
        const res = await s.call({
          method: 'POST',
          url: '/v1/datasets',
          payload: { name, path: file },
        });
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (res.statusCode >= 400) return; // refused up front, with the envelope
        const d = await settle(name);
        const exp = await s.call({
          method: 'POST',
          url: '/v1/exports',
          payload: { dataset: name },
        });
        if (d.status === 'failed') {
          outcomes.failed++;
          expect(d.error?.message).toBeTruthy();
          // A failed import is not exportable: nothing half imported can be read.
          expect(exp.statusCode).toBe(400);
        } else {
          outcomes.ready++;
          expect(d.status).toBe('ready');
          expect(exp.statusCode, exp.body).toBe(202);
          const done = await waitFinal(s, exp.json().data.id);
          expect(done.status).toBe('completed');
          expect(done.row_count).toBe(d.row_count);
        }
      }),
      { numRuns: Number(process.env.RELIABILITY_IMPORT_CASES ?? 150), seed: 20261122 },
    );
    expect((await s.call({ url: '/healthz' })).statusCode).toBe(200);
    expect(outcomes.failed).toBeGreaterThan(0);
  }, 600_000);
});
