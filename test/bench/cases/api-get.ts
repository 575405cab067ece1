// api_get_export: GET /v1/exports/{id} under autocannon (50 connections), against a bare node:http
// server answering the same bytes. autocannon runs in its own process so it does not share the
// bench's event loop.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BenchContext, ResultRow } from '../context.ts';
import { exited, startChild, stopChild } from '../children.ts';
import { alternate, median, PeakRss } from '../measure.ts';
import type { Serve } from '../serve.ts';
import { exportDataset } from './export.ts';

const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Cannon {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
}

async function cannon(url: string, seconds: number, headers: string[]): Promise<Cannon> {
  const args = [autocannonBin, '-c', '50', '-d', String(seconds), '-j'];
  for (const h of headers) args.push('-H', h);
  const child = startChild(process.execPath, [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  if ((await exited(child)) !== 0) throw new Error(`autocannon failed: ${err}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    requests: { average: number };
    latency: { p99: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

/** The bare server: node:http answering the captured status, type and body, nothing else. */
const BARE = `
const http = require('node:http');
const body = require('node:fs').readFileSync(process.argv[1]);
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });
`;

export async function apiGetCase(ctx: BenchContext, serve: Serve): Promise<ResultRow> {
  const { opts } = ctx;
  // A small completed export: the object is what is measured, not its file.
  const exp = await exportDataset(serve, 'bench', 0, {
    filter: { where: [{ column: 'id', op: 'lte', value: 1000 }] },
  });
  const path = `/v1/exports/${exp.id}`;
  const res = await fetch(serve.url + path, { headers: { authorization: `Bearer ${serve.key}` } });
  const bodyFile = join(ctx.tmp, 'export-object.json');
  const body = Buffer.from(await res.arrayBuffer());
  writeFileSync(bodyFile, body);

  const bare = startChild(process.execPath, ['-e', BARE, bodyFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve) =>
    bare.stdout!.once('data', (c: Buffer) => resolve(/port (\d+)/.exec(c.toString())![1]!)),
  );
  const peak = new PeakRss(serve.pid);
  let peakMb = 0;
  const ours: Cannon[] = [];
  const base: Cannon[] = [];
  try {
    await alternate(
      {
        ours: async (i) => {
          peak.start();
          const r = await cannon(serve.url + path, i < 0 ? 3 : opts.apiSeconds, [
            `authorization=Bearer ${serve.key}`,
          ]);
          peakMb = Math.max(peakMb, peak.stop() ?? 0);
          if (i >= 0) ours.push(r);
          return r.rps;
        },
        baseline: async (i) => {
          const r = await cannon(
            `http://127.0.0.1:${port}${path}`,
            i < 0 ? 3 : opts.apiSeconds,
            [],
          );
          if (i >= 0) base.push(r);
          return r.rps;
        },
      },
      opts.runs,
      opts.warmup,
      ctx.log,
      (v) => `${Math.round(v)} req/s`,
    );
  } finally {
    await stopChild(bare);
  }
  const oursRps = median(ours.map((r) => r.rps));
  const baseRps = median(base.map((r) => r.rps));
  const p99 = median(ours.map((r) => r.p99));
  const errors = ours.reduce((a, r) => a + r.errors, 0);
  const ratio = oursRps / baseRps;
  return {
    name: 'api_get_export',
    // Seconds per request, so the columns keep one unit; the ratio is requests/s, ours / bare.
    ours_s: 1 / oursRps,
    baseline_s: 1 / baseRps,
    ratio,
    peak_rss_mb: peakMb || null,
    target: 'req/s ratio >= 0.5, p99 <= 20 ms, 0 errors',
    pass: ratio >= 0.5 && p99 <= 20 && errors === 0,
    runs: ours.length,
    ours_rps: Math.round(oursRps),
    baseline_rps: Math.round(baseRps),
    p99_ms: p99,
    baseline_p99_ms: median(base.map((r) => r.p99)),
    errors,
    body_bytes: body.length,
  };
}
