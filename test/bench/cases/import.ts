// import_csv: the bench CSV imported as a dataset through POST /v1/datasets, against sqlite3 .import.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { shQuote, timeShell, type BenchContext, type ResultRow } from '../context.ts';
import {
  alternate,
  describeThreadCpu,
  median,
  medianThreadCpu,
  PeakRss,
  ThreadCpu,
  type ThreadCpuResult,
} from '../measure.ts';
import type { BenchData } from '../data.ts';
import type { Serve } from '../serve.ts';

const TARGET = 'ratio <= 1.0 (required <= 1.5)';

/** Imports `path` as dataset `name` and waits until it is ready; returns seconds. */
export async function importDataset(
  serve: Serve,
  name: string,
  path: string,
  rows: number,
  extra: { index_columns?: string[] } = {},
): Promise<number> {
  const t0 = performance.now();
  await serve.ok('POST', '/v1/datasets', { name, path, ...extra });
  const { at, value } = await serve.waitDataset(name);
  if (value.row_count !== rows)
    throw new Error(`dataset ${name} has ${String(value.row_count)} rows, expected ${rows}`);
  return (at - t0) / 1000;
}

/** Makes sure the serve data dir holds `name` with `rows` rows (imported once, untimed). */
export async function ensureDataset(
  serve: Serve,
  name: string,
  path: string,
  rows: number,
  extra: { index_columns?: string[] } = {},
): Promise<void> {
  const r = await serve.api<{ status?: string; row_count?: number }>('GET', `/v1/datasets/${name}`);
  if (r.status === 200 && r.body.status === 'ready' && r.body.row_count === rows) return;
  if (r.status === 200) await serve.ok('DELETE', `/v1/datasets/${name}`);
  await importDataset(serve, name, path, rows, extra);
}

export async function importCase(
  ctx: BenchContext,
  serve: Serve,
  data: BenchData = ctx.data,
  rowName = 'import_csv',
): Promise<ResultRow> {
  const { opts } = ctx;
  if (!ctx.tools.sqlite3) {
    ctx.log('import_csv: sqlite3 is not installed; skipping its baseline (install nothing).');
    return skipped(rowName, 'sqlite3 not found');
  }
  const peak = new PeakRss(serve.pid);
  const threads = new ThreadCpu(serve.pid);
  const cpuRuns: ThreadCpuResult[] = [];
  let peakMb = 0;
  const out = join(ctx.tmp, 'baseline-import.sqlite');
  const result = await alternate(
    {
      ours: async (i) => {
        const name = `${rowName}_${i < 0 ? `w${-i}` : i}`;
        peak.start();
        threads.start();
        const s = await importDataset(serve, name, data.csv, data.rows);
        const cpu = threads.stop();
        if (cpu && i >= 0) cpuRuns.push(cpu);
        peakMb = Math.max(peakMb, peak.stop() ?? 0);
        await serve.ok('DELETE', `/v1/datasets/${name}`);
        return s;
      },
      baseline: async () => {
        rmSync(out, { force: true });
        const s = await timeShell(
          `sqlite3 -csv ${shQuote(out)} ${shQuote(`.import "${data.csv}" rows`)}`,
        );
        const count = spawnSync('sqlite3', [out, 'select count(*) from rows'], {
          encoding: 'utf8',
        }).stdout.trim();
        if (Number(count) !== data.rows)
          throw new Error(`sqlite3 .import made ${count} rows, expected ${data.rows}`);
        rmSync(out, { force: true });
        return s;
      },
    },
    opts.runs,
    opts.warmup,
    ctx.log,
  );
  const ours = median(result.ours);
  const baseline = median(result.baseline);
  const ratio = ours / baseline;
  const cpu = medianThreadCpu(cpuRuns);
  return {
    name: rowName,
    ours_s: ours,
    baseline_s: baseline,
    ratio,
    peak_rss_mb: peakMb || null,
    target: TARGET,
    pass: ratio <= 1.5,
    aim_met: ratio <= 1.0,
    runs: result.ours.length,
    ...(cpu ? { thread_cpu_ms: cpu, cpu_note: describeThreadCpu(cpu) } : {}),
  };
}

function skipped(name: string, note: string): ResultRow {
  return {
    name,
    ours_s: null,
    baseline_s: null,
    ratio: null,
    peak_rss_mb: null,
    target: TARGET,
    pass: null,
    runs: 0,
    note,
  };
}
