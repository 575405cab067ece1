// small_exports: what a script asking for many tiny exports sees. N one-row exports (one id each)
// are created back to back through the API; the rate is N over the time from the first POST to the
// last `completed` event, end to end (queue, worker, file, fsync, store writes, events). The
// dataset is the bench CSV imported as a script doing this would: with `index_columns: ["id"]`
// (README), so each export reads its row through the index rather than scanning the table.
// The exports are deleted once, after every run, not between runs: on an ext4 without a journal
// (this machine's), for 5 s after a delete every new inode is checked against recently deleted
// ones, and a run right after deleting 300 folders and files spent about 12 % of the server's
// time in that (perf, `recently_deleted`): a cost of the bench's cleanup, not of creating exports.
import type { BenchContext, ResultRow } from '../context.ts';
import { median, PeakRss } from '../measure.ts';
import type { Serve } from '../serve.ts';
import { ensureDataset } from './import.ts';

const TARGET_PER_S = 200;
const EXPORTS = 300;

async function round(serve: Serve, dataset: string, rows: number, offset: number, ids: string[]) {
  const t0 = performance.now();
  const waits: Promise<{ at: number }>[] = [];
  for (let i = 0; i < EXPORTS; i++) {
    const id = 1 + ((offset + i * 7919) % rows);
    const created = await serve.ok<{ id: string }>('POST', '/v1/exports', {
      dataset,
      compression: 'gzip',
      filter: { where: [{ column: 'id', op: 'eq', value: id }] },
    });
    ids.push(created.id);
    waits.push(serve.waitExport(created.id));
  }
  const done = await Promise.all(waits);
  const last = Math.max(...done.map((d) => d.at));
  return EXPORTS / ((last - t0) / 1000);
}

export async function smallExportsCase(ctx: BenchContext, serve: Serve): Promise<ResultRow> {
  const dataset = 'bench_by_id';
  await ensureDataset(serve, dataset, ctx.data.csv, ctx.data.rows, { index_columns: ['id'] });
  const peak = new PeakRss(serve.pid);
  const rates: number[] = [];
  const ids: string[] = [];
  peak.start();
  for (let i = -ctx.opts.warmup; i < ctx.opts.runs; i++) {
    const rate = await round(serve, dataset, ctx.data.rows, (i + 10) * 1000, ids);
    ctx.log(
      `  ${i < 0 ? 'warm-up' : `run ${i + 1}/${ctx.opts.runs}`}: ${rate.toFixed(0)} exports/s`,
    );
    if (i >= 0) rates.push(rate);
  }
  const peakMb = peak.stop();
  for (const id of ids) await serve.ok('DELETE', `/v1/exports/${id}`);
  const rate = median(rates);
  return {
    name: 'small_exports',
    ours_s: null,
    baseline_s: null,
    ratio: null,
    peak_rss_mb: peakMb,
    target: `>= ${TARGET_PER_S} one-row exports/s`,
    pass: rate >= TARGET_PER_S,
    runs: rates.length,
    per_s: Math.round(rate),
    note: `${rate.toFixed(0)} exports/s (${EXPORTS} one-row exports per run of ${ctx.data.rows.toLocaleString('en-US')} rows indexed on id, POST to last completed)`,
  };
}
