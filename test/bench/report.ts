// The printed table, bench-results.json, and the README block (the table plus the machine).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { ResultRow } from './context.ts';

export function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // Not Linux: os.cpus() is good enough.
  }
  const gib = (totalmem() / 1024 ** 3).toFixed(1);
  return `${cpus().length} cores (nproc), ${model.trim()}, ${gib} GiB RAM, Node ${process.version}, ${process.platform}`;
}

function cell(r: ResultRow, key: 'ours' | 'baseline'): string {
  if (r.name === 'api_get_export') {
    const rps = r[key === 'ours' ? 'ours_rps' : 'baseline_rps'];
    return typeof rps === 'number' ? `${rps} req/s` : '-';
  }
  if (r.name === 'small_exports' && key === 'ours')
    return typeof r.per_s === 'number' ? `${r.per_s} /s` : '-';
  if (r.name === 'list_exports_page' && key === 'ours')
    return typeof r.p99_ms === 'number' ? `p99 ${r.p99_ms} ms` : '-';
  const v = key === 'ours' ? r.ours_s : r.baseline_s;
  if (v === null || Number.isNaN(v)) return '-';
  return v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`;
}

const verdict = (r: ResultRow) => (r.pass === null ? 'report' : r.pass ? 'ok' : 'MISSED');

/** A Markdown table (it reads fine in a terminal too). */
export function table(rows: readonly ResultRow[]): string {
  const head = ['name', 'ours', 'baseline', 'ratio', 'peak RSS', 'target', 'result'];
  const body = rows.map((r) => {
    let extra = '';
    if (r.name === 'api_get_export' && typeof r.p99_ms === 'number')
      extra = ` (p99 ${r.p99_ms} ms, ${String(r.errors)} errors)`;
    if (r.note && r.pass === null && r.ours_s === null) extra = ` (${r.note})`;
    const phases = r.phases as Record<string, number> | undefined;
    const reader = (r.phases as { reader?: string } | undefined)?.reader;
    if (phases)
      extra += phases.lanes
        ? ` (${phases.lanes} lanes reading+encoding, waited ${phases.laneWaitMs} ms, hand-off ${phases.handoffMs} ms, compressor ${phases.compressMs} ms)`
        : reader === 'native'
          ? ` (SQLite and encoding in C ${phases.sqliteMs} ms, the rest ${phases.encodeMs} ms, hand-off ${phases.handoffMs} ms, compressor ${phases.compressMs} ms)`
          : ` (SQLite ${phases.sqliteMs} ms, encode ${phases.encodeMs} ms, hand-off ${phases.handoffMs} ms, compressor ${phases.compressMs} ms)`;
    // Per-thread CPU of the server over our runs (medians), where /proc has it.
    if (typeof r.cpu_note === 'string') extra += ` (${r.cpu_note})`;
    return [
      r.name,
      cell(r, 'ours'),
      cell(r, 'baseline'),
      r.ratio === null ? '-' : r.ratio.toFixed(2) + extra,
      r.peak_rss_mb === null ? '-' : `${r.peak_rss_mb.toFixed(0)} MB`,
      r.target,
      verdict(r) + (r.name === 'export_peak_memory' && r.note ? ` (${r.note})` : ''),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function writeResults(path: string, rows: readonly ResultRow[]): void {
  const round = (v: number | null) => (v === null || Number.isNaN(v) ? null : +v.toFixed(4));
  const out = rows.map((r) => ({
    ...r,
    ours_s: round(r.ours_s),
    baseline_s: round(r.baseline_s),
    ratio: round(r.ratio),
    peak_rss_mb: r.peak_rss_mb === null ? null : +r.peak_rss_mb.toFixed(1),
  }));
  writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
}

export function readmeBlock(rows: readonly ResultRow[], dataRows: number, date: Date): string {
  return [
    `Latest \`npm run bench\` (${dataRows.toLocaleString('en-US')} rows, ${date.toISOString().slice(0, 10)}), on ${machine()}:`,
    '',
    table(rows),
  ].join('\n');
}
