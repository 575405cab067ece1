// serve_start: `serve` on an existing data dir, from spawn to the first /healthz 200, against a
// bare node:http server started with `node -e`, timed the same way (spawn, poll the port).
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { createServer } from 'node:net';
import type { BenchContext, ResultRow } from '../context.ts';
import { startChild, stopChild } from '../children.ts';
import { alternate, lifetimePeakMb, median } from '../measure.ts';
import { cliPath } from '../serve.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

async function timeStart(args: (port: number) => string[], env: NodeJS.ProcessEnv) {
  const port = await freePort();
  const t0 = performance.now();
  const child = startChild(process.execPath, args(port), { env, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before /healthz`);
      if (await healthy(port)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const s = (performance.now() - t0) / 1000;
    return { s, peak: lifetimePeakMb(child.pid!) ?? 0 };
  } finally {
    await stopChild(child);
  }
}

const AIM_MS = 250;
const REQUIRED_MS = 400;

const BARE = `require('node:http').createServer((q, s) => s.end('ok')).listen(+process.argv[1], '127.0.0.1')`;

export async function serveStartCase(ctx: BenchContext): Promise<ResultRow> {
  const env = { ...process.env, EXPORT_MANAGER_API_KEY: randomBytes(16).toString('hex') };
  let peakMb = 0;
  const result = await alternate(
    {
      ours: async () => {
        const r = await timeStart(
          (port) => [cliPath, 'serve', '--port', String(port), '--data-dir', ctx.dataDir],
          env,
        );
        peakMb = Math.max(peakMb, r.peak);
        return r.s;
      },
      baseline: async () => (await timeStart((port) => ['-e', BARE, String(port)], env)).s,
    },
    ctx.opts.runs,
    ctx.opts.warmup,
    ctx.log,
    (v) => `${(v * 1000).toFixed(0)} ms`,
  );
  const ours = median(result.ours);
  const baseline = median(result.baseline);
  return {
    name: 'serve_start',
    ours_s: ours,
    baseline_s: baseline,
    ratio: ours / baseline,
    peak_rss_mb: peakMb || null,
    target: `/healthz <= ${AIM_MS} ms (required <= ${REQUIRED_MS} ms)`,
    pass: ours * 1000 <= REQUIRED_MS,
    aim_met: ours * 1000 <= AIM_MS,
    runs: result.ours.length,
  };
}
