// `npm run bench`: our engine against the shell pipeline a power user would write.
// Each pair runs alternately (A B A B) after a warm-up; the table shows medians and ratios.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { apiGetCase } from './cases/api-get.ts';
import { downloadCase } from './cases/download.ts';
import { fleetCases } from './cases/fleet.ts';
import { exportPairCase, exportPeak, peakRow, type ExportPair } from './cases/export.ts';
import { ensureDataset, importCase } from './cases/import.ts';
import { LIST_EXPORTS, listPageCase, seedExports } from './cases/list-page.ts';
import { serveStartCase } from './cases/serve-start.ts';
import { smallExportsCase } from './cases/small-exports.ts';
import { hasTool, type BenchContext, type BenchOptions, type ResultRow } from './context.ts';
import { availableParallelism } from 'node:os';
import { ensureData, repoRoot } from './data.ts';
import { leadsKind } from './leads.ts';
import { summarizeProfiles } from './profile.ts';
import { machine, readmeBlock, table, writeResults } from './report.ts';
import { buildBundle, Serve } from './serve.ts';

export const rowNames = [
  'export_csv_gzip',
  'export_leads_gzip',
  'export_leads_zstd',
  'export_peak_memory',
  'import_csv',
  'import_leads_csv',
  'download_decompress',
  'api_get_export',
  'small_exports',
  'serve_start',
  'list_exports_page',
  'fleet_exports_per_min',
  'fleet_cpu_bound_exports_per_min',
] as const;

const SMALL_ROWS = 200_000;

const USAGE = `Usage: npm run bench -- [--rows N] [--runs N] [--warmup N] [--only name,name]
                       [--api-seconds N] [--profile DIR] [--out FILE] [--keep]
Rows: ${rowNames.join(', ')}`;

function options(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string', default: '2000000' },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      only: { type: 'string' },
      'api-seconds': { type: 'string', default: '10' },
      profile: { type: 'string' },
      out: { type: 'string', default: join(repoRoot, 'bench-results.json') },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : null;
  for (const name of only ?? [])
    if (!(rowNames as readonly string[]).includes(name))
      throw new Error(`--only: unknown row "${name}". Rows: ${rowNames.join(', ')}`);
  return {
    rows: int('rows', values.rows, 1000),
    runs: int('runs', values.runs, 1),
    warmup: int('warmup', values.warmup, 0),
    only,
    apiSeconds: int('api-seconds', values['api-seconds'], 1),
    profileDir: values.profile ? resolve(values.profile) : null,
    keep: values.keep,
    out: resolve(values.out),
  };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  if (!opts) {
    console.log(USAGE);
    return;
  }
  const log = (s: string) => console.log(s);
  const wants = (...names: string[]) =>
    opts.only === null || names.some((n) => opts.only!.includes(n));
  log(`Export Manager bench on ${machine()}`);
  const tools = {
    sqlite3: hasTool('sqlite3'),
    curl: hasTool('curl'),
    pigz: hasTool('pigz'),
    zstd: hasTool('zstd'),
  };
  for (const [tool, ok] of Object.entries(tools))
    if (!ok) log(`${tool} is not installed: the rows that need it are skipped.`);
  log('building the bundles (electron-vite build), as npm start does');
  buildBundle();
  const data = ensureData(opts.rows, log);
  log(
    `data: ${opts.rows.toLocaleString('en-US')} rows, ${(data.csvBytes / 1024 ** 2).toFixed(0)} MB of CSV`,
  );

  const tmp = mkdtempSync(join(tmpdir(), 'export-manager-bench-'));
  const ctx: BenchContext = { opts, data, tmp, dataDir: join(tmp, 'data'), tools, log };
  mkdirSync(ctx.dataDir);
  if (opts.profileDir) mkdirSync(opts.profileDir, { recursive: true });
  const start = (tag: string) =>
    Serve.start({
      dataDir: ctx.dataDir,
      logFile: join(tmp, `serve-${tag}.log`),
      nodeArgs: opts.profileDir
        ? // One folder per server: Node's default file names tell the threads apart (pid.thread),
          // a fixed --cpu-prof-name made every worker's profile overwrite the main thread's.
          ['--cpu-prof', '--cpu-prof-dir', join(opts.profileDir, tag)]
        : [],
    });
  const results: ResultRow[] = [];
  const t0 = performance.now();
  try {
    const exporting = wants('export_csv_gzip', 'export_peak_memory');
    const small = exporting && opts.rows > SMALL_ROWS ? ensureData(SMALL_ROWS, log) : null;
    const withLeads = wants('export_leads_gzip', 'export_leads_zstd', 'import_leads_csv');
    const leads = withLeads ? ensureData(opts.rows, log, leadsKind) : null;
    const cores = availableParallelism();

    // 1. Imports, and the datasets the later rows export (untimed).
    let serve = await start('import');
    log(`serve ${serve.url} (pid ${serve.pid}), data in ${ctx.dataDir}`);
    await ensureDataset(serve, 'bench', data.csv, data.rows);
    if (small) await ensureDataset(serve, 'bench_small', small.csv, small.rows);
    if (leads) await ensureDataset(serve, 'leads_bench', leads.csv, leads.rows);
    if (wants('import_csv')) {
      log('\nimport_csv');
      results.push(await importCase(ctx, serve));
    }
    if (leads && wants('import_leads_csv')) {
      log('\nimport_leads_csv');
      results.push(await importCase(ctx, serve, leads, 'import_leads_csv'));
    }
    await serve.stop();

    // 2. Peak memory at the small size, in a process of its own.
    let smallPeak: { rows: number; mb: number } | null = null;
    if (small) {
      log(`\nexport_peak_memory at ${small.rows.toLocaleString('en-US')} rows`);
      serve = await start('export-small');
      smallPeak = { rows: small.rows, mb: await exportPeak(serve, 'bench_small', small.rows, 3) };
      log(`  peak RSS ${smallPeak.mb.toFixed(0)} MB`);
      await serve.stop();
    }

    // 3. Exports first in a fresh process, so their peak is not lifted by other work.
    serve = await start('export');
    const peaks: { rows: number; mb: number }[] = [];
    const onPeak = (mb: number) => peaks.push({ rows: opts.rows, mb });
    const pigz = tools.pigz ? `pigz -6 -p ${cores}` : 'gzip -6';
    if (!tools.pigz) log('pigz is not installed: the gzip rows compare with `gzip -6` instead.');
    const pairs: ExportPair[] = [
      {
        name: 'export_csv_gzip',
        dataset: 'bench',
        data,
        compression: 'gzip' as const,
        level: 6,
        compressor: pigz,
      },
      ...(leads
        ? [
            {
              name: 'export_leads_gzip',
              dataset: 'leads_bench',
              data: leads,
              compression: 'gzip' as const,
              level: 6,
              compressor: pigz,
            },
            ...(tools.zstd
              ? [
                  {
                    name: 'export_leads_zstd',
                    dataset: 'leads_bench',
                    data: leads,
                    compression: 'zstd' as const,
                    level: 3,
                    compressor: `zstd -3 -T${cores} -q`,
                  },
                ]
              : []),
          ]
        : []),
    ];
    if (leads && !tools.zstd) log('zstd is not installed: export_leads_zstd is skipped.');
    for (const pair of pairs) {
      if (!wants(pair.name) && !(pair.name === 'export_csv_gzip' && exporting)) continue;
      log(`\n${pair.name}`);
      results.push(await exportPairCase(ctx, serve, pair, onPeak));
    }
    if (wants('export_peak_memory') && peaks.length > 0)
      results.push(peakRow(peaks, smallPeak, opts.runs + opts.warmup));
    if (wants('download_decompress')) {
      log('\ndownload_decompress');
      results.push(await downloadCase(ctx, serve));
    }
    if (wants('api_get_export')) {
      log('\napi_get_export');
      results.push(await apiGetCase(ctx, serve));
    }
    if (wants('small_exports')) {
      log('\nsmall_exports');
      results.push(await smallExportsCase(ctx, serve));
    }
    await serve.stop();

    if (wants('serve_start')) {
      log('\nserve_start');
      results.push(await serveStartCase(ctx));
    }

    // Last: it leaves LIST_EXPORTS exports in the store.
    if (wants('list_exports_page')) {
      log(`\nlist_exports_page (seeding ${LIST_EXPORTS.toLocaleString('en-US')} exports)`);
      serve = await start('list');
      // One finished one-row export, the template the seeded ones copy.
      const one = await serve.ok<{ id: string }>('POST', '/v1/exports', {
        dataset: 'bench',
        filter: { where: [{ column: 'id', op: 'eq', value: 1 }] },
      });
      await serve.waitExport(one.id);
      await serve.stop();
      const total = seedExports(ctx.dataDir, LIST_EXPORTS);
      serve = await start('list');
      results.push(await listPageCase(ctx, serve, total));
      await serve.stop();
    }
    if (wants('fleet_exports_per_min') || wants('fleet_cpu_bound_exports_per_min')) {
      log('\nfleet rows (PostgreSQL and radosgw started by test/team/)');
      results.push(...(await fleetCases(ctx, wants)));
    }
  } finally {
    if (opts.keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }

  const order = (r: ResultRow) => rowNames.indexOf(r.name as (typeof rowNames)[number]);
  results.sort((a, b) => order(a) - order(b));
  writeResults(opts.out, results);
  log(`\n${table(results)}\n`);
  log(`(${((performance.now() - t0) / 1000).toFixed(0)} s; written to ${opts.out})`);
  log(`\nREADME block:\n\n${readmeBlock(results, opts.rows, new Date())}\n`);
  if (opts.profileDir) summarizeProfiles(opts.profileDir, log);
  const missed = results.filter((r) => r.pass === false).map((r) => r.name);
  if (missed.length > 0) {
    log(`Targets missed: ${missed.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
