// export_csv_gzip and export_peak_memory: the dataset exported to csv.gz at level 6 through the API,
// against `sqlite3 -csv -header | gzip -6`; and the server's peak RSS at two sizes (it must be flat).
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { columns } from '../data.ts';
import { shQuote, timeShell, type BenchContext, type ResultRow } from '../context.ts';
import { alternate, median, PeakRss } from '../measure.ts';
import type { Serve } from '../serve.ts';

export const MEMORY_LIMIT_MB = 250;

/** Runs one export of `dataset` and waits for it; returns seconds from POST to completed. */
export async function exportDataset(
  serve: Serve,
  dataset: string,
  rows: number,
  extra: Record<string, unknown> = {},
): Promise<{ seconds: number; id: string; bytes: number }> {
  const t0 = performance.now();
  const created = await serve.ok<{ id: string }>('POST', '/v1/exports', {
    dataset,
    format: 'csv',
    compression: 'gzip',
    compression_level: 6,
    ...extra,
  });
  const { at, value } = await serve.waitExport(created.id);
  if (extra.filter === undefined && value.row_count !== rows)
    throw new Error(`export has ${String(value.row_count)} rows, expected ${rows}`);
  return { seconds: (at - t0) / 1000, id: created.id, bytes: Number(value.byte_size) };
}

/** Peak RSS of a server over `n` exports of `dataset`, in MB. */
export async function exportPeak(
  serve: Serve,
  dataset: string,
  rows: number,
  n: number,
): Promise<number> {
  const peak = new PeakRss(serve.pid);
  peak.start();
  for (let i = 0; i < n; i++) {
    const r = await exportDataset(serve, dataset, rows);
    await serve.ok('DELETE', `/v1/exports/${r.id}`);
  }
  return peak.stop() ?? 0;
}

export async function exportCase(
  ctx: BenchContext,
  serve: Serve,
  smallPeak: { rows: number; mb: number } | null,
): Promise<ResultRow[]> {
  const { data, opts } = ctx;
  const out = join(ctx.tmp, 'baseline-export.csv.gz');
  const peak = new PeakRss(serve.pid);
  let peakMb = 0;
  let oursBytes = 0;
  let baseBytes = 0;
  const select = `select ${columns.join(', ')} from rows`;
  const result = await alternate(
    {
      ours: async () => {
        peak.start();
        const r = await exportDataset(serve, 'bench', data.rows);
        peakMb = Math.max(peakMb, peak.stop() ?? 0);
        oursBytes = r.bytes;
        await serve.ok('DELETE', `/v1/exports/${r.id}`);
        return r.seconds;
      },
      baseline: ctx.tools.sqlite3
        ? async () => {
            const s = await timeShell(
              `sqlite3 -csv -header ${shQuote(data.sqlite)} ${shQuote(select)} | gzip -6 > ${shQuote(out)}`,
            );
            baseBytes = statSync(out).size;
            rmSync(out, { force: true });
            return s;
          }
        : async () => Number.NaN,
    },
    opts.runs,
    opts.warmup,
    ctx.log,
  );
  if (!ctx.tools.sqlite3) ctx.log('export_csv_gzip: sqlite3 is not installed; no baseline.');
  const ours = median(result.ours);
  const baseline = ctx.tools.sqlite3 ? median(result.baseline) : null;
  const ratio = baseline === null ? null : ours / baseline;
  const flat = smallPeak === null ? null : peakMb - smallPeak.mb;
  return [
    {
      name: 'export_csv_gzip',
      ours_s: ours,
      baseline_s: baseline,
      ratio,
      peak_rss_mb: peakMb || null,
      target: 'ratio <= 1.0 (aim <= 0.85)',
      pass: ratio === null ? null : ratio <= 1.0,
      runs: result.ours.length,
      ours_bytes: oursBytes,
      baseline_bytes: ctx.tools.sqlite3 ? baseBytes : null,
      ...(ratio === null ? { note: 'sqlite3 not found: no baseline' } : {}),
    },
    {
      name: 'export_peak_memory',
      ours_s: null,
      baseline_s: null,
      ratio: null,
      peak_rss_mb: peakMb || null,
      target: `<= ${MEMORY_LIMIT_MB} MB at every size (flat)`,
      pass:
        peakMb > 0 &&
        peakMb <= MEMORY_LIMIT_MB &&
        (smallPeak === null || smallPeak.mb <= MEMORY_LIMIT_MB),
      runs: result.ours.length + opts.warmup,
      peak_rss_mb_by_rows: {
        ...(smallPeak ? { [smallPeak.rows]: round1(smallPeak.mb) } : {}),
        [data.rows]: round1(peakMb),
      },
      note:
        flat === null
          ? 'one size only'
          : `${smallPeak!.rows.toLocaleString('en-US')} rows: ${smallPeak!.mb.toFixed(0)} MB; ` +
            `${data.rows.toLocaleString('en-US')} rows: ${peakMb.toFixed(0)} MB`,
    },
  ];
}

const round1 = (x: number) => Math.round(x * 10) / 10;
