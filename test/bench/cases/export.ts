// Export rows: a dataset exported through the API (csv.gz at level 6, or csv.zst) against
// `sqlite3 -csv -header | pigz -6 -p CORES` (or `| zstd -T2`); and the server's peak RSS at two
// sizes (it must be flat).
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchData } from '../data.ts';
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

/** One export row: ours (through the API) against a shell pipeline writing the same bytes' kind. */
export interface ExportPair {
  readonly name: string;
  readonly dataset: string;
  readonly data: BenchData;
  readonly compression: 'gzip' | 'zstd';
  readonly level: number;
  /** The baseline's compressor, reading CSV on stdin: `pigz -6 -p 2`, `zstd -3 -T2`. */
  readonly compressor: string;
}

const AIM = 0.75;
const REQUIRED = 1.0;

export async function exportPairCase(
  ctx: BenchContext,
  serve: Serve,
  pair: ExportPair,
  onPeak: (mb: number) => void = () => {},
): Promise<ResultRow> {
  const { opts } = ctx;
  const { data } = pair;
  const out = join(ctx.tmp, `baseline-${pair.name}`);
  const peak = new PeakRss(serve.pid);
  const threads = new ThreadCpu(serve.pid);
  const cpuRuns: ThreadCpuResult[] = [];
  let peakMb = 0;
  let oursBytes = 0;
  let baseBytes = 0;
  const select = `select ${data.kind.columns.join(', ')} from rows`;
  const ids = new Set<string>();
  const cmd = `sqlite3 -csv -header ${shQuote(data.sqlite)} ${shQuote(select)} | ${pair.compressor} > ${shQuote(out)}`;
  const result = await alternate(
    {
      ours: async (i) => {
        peak.start();
        threads.start();
        const r = await exportDataset(serve, pair.dataset, data.rows, {
          compression: pair.compression,
          compression_level: pair.level,
        });
        const cpu = threads.stop();
        if (cpu && i >= 0) cpuRuns.push(cpu);
        peakMb = Math.max(peakMb, peak.stop() ?? 0);
        oursBytes = r.bytes;
        ids.add(r.id);
        await serve.ok('DELETE', `/v1/exports/${r.id}`);
        return r.seconds;
      },
      baseline: ctx.tools.sqlite3
        ? async () => {
            const s = await timeShell(cmd);
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
  onPeak(peakMb);
  const phases = exportPhases(serve.logFile, ids);
  const cpu = medianThreadCpu(cpuRuns);
  const ours = median(result.ours);
  const baseline = ctx.tools.sqlite3 ? median(result.baseline) : null;
  const ratio = baseline === null ? null : ours / baseline;
  return {
    name: pair.name,
    ours_s: ours,
    baseline_s: baseline,
    ratio,
    peak_rss_mb: peakMb || null,
    target: `ratio <= ${AIM} (required <= ${REQUIRED.toFixed(1)})`,
    pass: ratio === null ? null : ratio <= REQUIRED,
    aim_met: ratio === null ? null : ratio <= AIM,
    runs: result.ours.length,
    ...(phases ? { phases } : {}),
    ...(cpu ? { thread_cpu_ms: cpu, cpu_note: describeThreadCpu(cpu) } : {}),
    baseline_command: `sqlite3 -csv -header DB '${select}' | ${pair.compressor}`,
    ours_bytes: oursBytes,
    baseline_bytes: ctx.tools.sqlite3 ? baseBytes : null,
    ...(ratio === null ? { note: 'sqlite3 not found: no baseline' } : {}),
  };
}

/** export_peak_memory: the largest peak of the export rows, and the small size's (flat). */
export function peakRow(
  peaks: { rows: number; mb: number }[],
  smallPeak: { rows: number; mb: number } | null,
  runs: number,
): ResultRow {
  const peakMb = Math.max(0, ...peaks.map((p) => p.mb));
  const big = peaks.length > 0 ? peaks[0]!.rows : 0;
  return {
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
    runs,
    peak_rss_mb_by_rows: {
      ...(smallPeak ? { [smallPeak.rows]: round1(smallPeak.mb) } : {}),
      [big]: round1(peakMb),
    },
    note:
      smallPeak === null
        ? 'one size only'
        : `${smallPeak.rows.toLocaleString('en-US')} rows: ${smallPeak.mb.toFixed(0)} MB; ` +
          `${big.toLocaleString('en-US')} rows: ${peakMb.toFixed(0)} MB`,
  };
}

/**
 * Medians of the phases the export worker logs for these exports ('export timing'): SQLite step,
 * encode, hand-off to the compressor, the compressor's own time; null when none were logged.
 */
function exportPhases(
  logFile: string,
  ids: ReadonlySet<string>,
): Record<string, number | string> | null {
  const seen: Record<string, number[]> = {};
  const readers = new Set<string>();
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const at = line.indexOf(' export timing {');
    if (at < 0) continue;
    const fields = JSON.parse(line.slice(at + ' export timing '.length)) as Record<string, unknown>;
    if (!ids.has(String(fields.id))) continue;
    if (typeof fields.reader === 'string') readers.add(fields.reader);
    for (const [k, v] of Object.entries(fields))
      if ((k.endsWith('Ms') || k === 'lanes') && typeof v === 'number') (seen[k] ??= []).push(v);
  }
  const keys = Object.keys(seen);
  if (keys.length === 0) return null;
  return {
    ...Object.fromEntries(keys.map((k) => [k, Math.round(median(seen[k]!))])),
    reader: [...readers].join('+'),
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
