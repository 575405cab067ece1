// download_decompress: a provider export whose gzip file a local vendor fake serves, downloaded,
// verified and saved decompressed, against `curl -s URL | gunzip > file` from the same fake.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureGzip } from '../data.ts';
import { shQuote, timeShell, type BenchContext, type ResultRow } from '../context.ts';
import { alternate, median, PeakRss } from '../measure.ts';
import type { Serve } from '../serve.ts';
import { startBenchVendor } from '../vendor.ts';

const TARGET = 'ratio <= 1.2 (aim 1.0)';

export async function downloadCase(ctx: BenchContext, serve: Serve): Promise<ResultRow> {
  const { data, opts } = ctx;
  if (!ctx.tools.curl) {
    ctx.log('download_decompress: curl is not installed; skipping the row (install nothing).');
    return {
      name: 'download_decompress',
      ours_s: null,
      baseline_s: null,
      ratio: null,
      peak_rss_mb: null,
      target: TARGET,
      pass: null,
      runs: 0,
      note: 'curl not found',
    };
  }
  const gz = await ensureGzip(data, ctx.log);
  const vendor = await startBenchVendor(gz, data.rows);
  const gzMb = vendor.file.body.length / 1024 ** 2;
  ctx.log(`  vendor fake serves ${gzMb.toFixed(1)} MB of gzip (${data.rows} rows)`);
  try {
    const provider = await serve.ok<{ id: string }>('POST', '/v1/providers', {
      name: 'bench vendor',
      type: 'datadriver',
      base_url: vendor.url,
      credential: vendor.token,
    });
    const peak = new PeakRss(serve.pid);
    let peakMb = 0;
    const out = join(ctx.tmp, 'baseline-download.csv');
    const result = await alternate(
      {
        ours: async (i) => {
          const dir = join(ctx.tmp, `dest-${i + 10}`);
          mkdirSync(dir, { recursive: true });
          peak.start();
          const t0 = performance.now();
          const created = await serve.ok<{ id: string }>('POST', '/v1/exports', {
            provider: provider.id,
            params: { format: 'csv' },
            destination: { dir, decompress: true },
          });
          const { at } = await serve.waitExport(created.id);
          peakMb = Math.max(peakMb, peak.stop() ?? 0);
          const saved = readdirSync(dir);
          const size = saved.length === 1 ? statSync(join(dir, saved[0]!)).size : -1;
          if (size !== data.csvBytes)
            throw new Error(`destination holds ${saved.join(', ')} (${size} bytes), not the CSV`);
          await serve.ok('DELETE', `/v1/exports/${created.id}`);
          rmSync(dir, { recursive: true, force: true });
          return (at - t0) / 1000;
        },
        baseline: async () => {
          const s = await timeShell(
            `curl -s -f ${shQuote(vendor.link())} | gunzip > ${shQuote(out)}`,
          );
          if (statSync(out).size !== data.csvBytes) throw new Error('curl | gunzip: wrong size');
          rmSync(out, { force: true });
          return s;
        },
      },
      opts.runs,
      opts.warmup,
      ctx.log,
    );
    await serve.ok('DELETE', `/v1/providers/${provider.id}`);
    const ours = median(result.ours);
    const baseline = median(result.baseline);
    const ratio = ours / baseline;
    return {
      name: 'download_decompress',
      ours_s: ours,
      baseline_s: baseline,
      ratio,
      peak_rss_mb: peakMb || null,
      target: TARGET,
      pass: ratio <= 1.2,
      runs: result.ours.length,
      gzip_mb: Math.round(gzMb * 10) / 10,
    };
  } finally {
    await vendor.stop();
  }
}
