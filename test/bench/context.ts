// What every bench case gets: options, data, temp folders, the baselines' tools, result rows.
import { spawnSync } from 'node:child_process';
import type { BenchData } from './data.ts';
import { exited, startChild } from './children.ts';

export interface BenchOptions {
  readonly rows: number;
  readonly runs: number;
  readonly warmup: number;
  readonly only: readonly string[] | null;
  /** Seconds per autocannon run. */
  readonly apiSeconds: number;
  /** Start serve with --cpu-prof (main thread and workers) into this folder. */
  readonly profileDir: string | null;
  readonly keep: boolean;
  readonly out: string;
}

export interface BenchContext {
  readonly opts: BenchOptions;
  readonly data: BenchData;
  /** Scratch space for this run, removed at the end. */
  readonly tmp: string;
  /** The serve data dir that holds the imported `bench` dataset. */
  readonly dataDir: string;
  readonly tools: {
    readonly sqlite3: boolean;
    readonly curl: boolean;
    readonly pigz: boolean;
    readonly zstd: boolean;
  };
  log(s: string): void;
}

export interface ResultRow {
  readonly name: string;
  readonly ours_s: number | null;
  readonly baseline_s: number | null;
  readonly ratio: number | null;
  readonly peak_rss_mb: number | null;
  readonly target: string;
  /** true / false against the target; null where the row only reports. */
  readonly pass: boolean | null;
  readonly runs: number;
  readonly note?: string;
  readonly [extra: string]: unknown;
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export const shQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** Runs a bash pipeline (pipefail on), returns its wall time in seconds; throws on failure. */
export async function timeShell(cmd: string): Promise<number> {
  const t0 = performance.now();
  const child = startChild('bash', ['-c', `set -euo pipefail; ${cmd}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const code = await exited(child);
  const s = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`baseline failed (${code}): ${cmd}\n${err}`);
  return s;
}

export const fmtS = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)} s`);
