#!/usr/bin/env node
// `export-manager serve`: the engine and API, headless, serving the renderer to a browser tab.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clockAhead } from './engine/clock.ts';
import { defaultDataDir } from './engine/data-dir.ts';
import type { EngineOptions } from './engine/engine.ts';
import { createLogger, surviveClosedOutput, type LogLevel } from './engine/logger.ts';
import { openStorage } from './engine/storage/open-storage.ts';
import { listenEarly } from './server/early-listener.ts';
import { packageVersion } from './server/package-version.ts';
import { warmLoad } from './server/warm-load.ts';
import { redactUrl } from './engine/store/postgres/pg-url.ts';

const USAGE = `Usage: export-manager serve [--port N] [--host 127.0.0.1] [--data-dir DIR]
                            [--url-ttl SECONDS] [--retention SECONDS] [--demo-rows N]
                            [--max-rows N] [--concurrency N] [--vendor-timeout SECONDS]
                            [--vendor-create-deadline SECONDS] [--vendor-wait-deadline SECONDS]
                            [--vendor-download-deadline SECONDS] [--vendor-file-urls any|public]
                            [--max-connections N] [--header-timeout SECONDS]
                            [--log-level debug|info|warn|error]
                            [--storage local|s3://BUCKET[/PREFIX]?endpoint=URL&region=R]
                            [--store postgres://USER@HOST:PORT/DB] [--public-url URL]

       export-manager doctor [--data-dir DIR] [--repair]

       export-manager migrate --store postgres://USER@HOST:PORT/DB

Environment: EXPORT_MANAGER_API_KEY, EXPORT_MANAGER_DATA_DIR, EXPORT_MANAGER_PORT,
             EXPORT_MANAGER_VENDOR_FILE_URLS, EXPORT_MANAGER_STORAGE, EXPORT_MANAGER_STORE,
             EXPORT_MANAGER_PUBLIC_URL, EXPORT_MANAGER_TEAM_KEY (with a postgres:// store: the key a team's engines share),
             EXPORT_MANAGER_CLOCK_AHEAD_SECONDS (run as if that much later: tests, trying expiry),
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for s3:// storage)`;

function int(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be a whole number >= ${min}, not "${value}".`);
  return n;
}

/** Deadlines of a vendor export's phases and where its file links may point. */
function vendorLimits(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Pick<EngineOptions, 'vendorDeadlines' | 'vendorFileUrls'> {
  const seconds = (name: string) => {
    const n = int(name, values[name] as string | undefined, 1);
    return n === undefined ? undefined : n * 1000;
  };
  const deadlines = {
    createDeadlineMs: seconds('vendor-create-deadline'),
    maxWaitMs: seconds('vendor-wait-deadline'),
    downloadDeadlineMs: seconds('vendor-download-deadline'),
  };
  const scope =
    (values['vendor-file-urls'] as string | undefined) ?? env.EXPORT_MANAGER_VENDOR_FILE_URLS;
  if (scope !== undefined && scope !== 'any' && scope !== 'public')
    throw new Error(`--vendor-file-urls must be any or public, not "${scope}".`);
  return {
    vendorDeadlines: Object.fromEntries(
      Object.entries(deadlines).filter(([, v]) => v !== undefined),
    ),
    ...(scope ? { vendorFileUrls: scope } : {}),
  };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  surviveClosedOutput();
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'url-ttl': { type: 'string' },
      retention: { type: 'string' },
      'demo-rows': { type: 'string' },
      'max-rows': { type: 'string' },
      concurrency: { type: 'string' },
      'vendor-timeout': { type: 'string' },
      'vendor-create-deadline': { type: 'string' },
      'vendor-wait-deadline': { type: 'string' },
      'vendor-download-deadline': { type: 'string' },
      'vendor-file-urls': { type: 'string' },
      'log-level': { type: 'string' },
      'max-connections': { type: 'string' },
      'header-timeout': { type: 'string' },
      storage: { type: 'string' },
      store: { type: 'string' },
      'public-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      repair: { type: 'boolean' },
    },
  });
  if (values.version) {
    console.log(packageVersion());
    return;
  }
  if (positionals[0] === 'doctor' && !values.help) {
    const dir = values['data-dir'] ?? (env.EXPORT_MANAGER_DATA_DIR || defaultDataDir(env));
    process.exitCode = await doctor(dir, values.repair ?? false);
    return;
  }
  if (positionals[0] === 'migrate' && !values.help) {
    const store = values.store ?? env.EXPORT_MANAGER_STORE;
    if (!store) throw new Error('migrate needs --store postgres://... (or EXPORT_MANAGER_STORE).');
    const { migratePostgres } = await import('./engine/store/postgres/pg-migrate.ts');
    const r = await migratePostgres(store);
    console.log(
      r.applied.length
        ? `Migrated the store from schema ${r.from} to ${r.to}: ${r.applied.join(', ')}.`
        : `The store is at schema ${r.to}; nothing to migrate.`,
    );
    return;
  }
  if (values.help || positionals[0] !== 'serve') {
    console.log(USAGE);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const level = (values['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level))
    throw new Error(`--log-level must be debug, info, warn or error.`);
  const urlTtl = int('url-ttl', values['url-ttl'], 1);
  const retention = int('retention', values.retention, 1);
  const ahead = Number(env.EXPORT_MANAGER_CLOCK_AHEAD_SECONDS ?? 0);
  if (!Number.isInteger(ahead) || ahead < 0)
    throw new Error(
      `EXPORT_MANAGER_CLOCK_AHEAD_SECONDS must be a whole number >= 0, not "${env.EXPORT_MANAGER_CLOCK_AHEAD_SECONDS}".`,
    );
  const dataDir = values['data-dir'] ?? (env.EXPORT_MANAGER_DATA_DIR || defaultDataDir(env));
  // The built renderer: out/renderer beside out/main when running the bundle (out/main/cli.js),
  // out/renderer at the root when running the source (electron/cli.ts; ../renderer is the
  // renderer's source there, not something to serve).
  const builtRenderer = fileURLToPath(
    new URL(import.meta.url.endsWith('.ts') ? '../out/renderer' : '../renderer', import.meta.url),
  );
  const staticDir = existsSync(join(builtRenderer, 'index.html')) ? builtRenderer : null;
  const storage = await openStorage(
    values.storage ?? (env.EXPORT_MANAGER_STORAGE || undefined),
    env,
  );

  const host = values.host ?? '127.0.0.1';
  const port = int('port', values.port ?? (env.EXPORT_MANAGER_PORT || undefined), 0) ?? 8787;
  const version = packageVersion();
  // The port first, answering /healthz as "starting"; the engine and the API load meanwhile
  // (they are most of the start), then take the port over. A host that is not loopback is
  // refused by startServer, so it is never bound here.
  const early = ['127.0.0.1', 'localhost', '::1'].includes(host)
    ? await listenEarly(host === 'localhost' ? '127.0.0.1' : host, port, version)
    : undefined;
  if (early) await warmLoad();
  const store = values.store ?? (env.EXPORT_MANAGER_STORE || undefined);
  const logger = createLogger(level);
  // A shared store: its engines take exports from the pg-boss queue in the same database.
  const queue = store
    ? await (async () => {
        const { openTeamQueue, queueTimingsFromEnv } =
          await import('./engine/exports/work-queue.ts');
        return openTeamQueue(store, { ...queueTimingsFromEnv(env), logger });
      })()
    : undefined;
  const { startServer, yieldToEarly } = await import('./server/serve.ts');
  await yieldToEarly();
  const server = await startServer({
    dataDir,
    host,
    port,
    ...(early ? { early } : {}),
    urlTtlSeconds: urlTtl,
    retentionSeconds: retention,
    ...(ahead > 0 ? { clock: clockAhead(ahead * 1000) } : {}),
    // A team engine makes no demo dataset unless asked: the engines would race to make one.
    demoRows:
      int('demo-rows', values['demo-rows'], 0) ??
      (values.store || env.EXPORT_MANAGER_STORE ? 0 : undefined),
    maxRows: int('max-rows', values['max-rows'], 1),
    concurrency: int('concurrency', values.concurrency, 1),
    ...(values['vendor-timeout']
      ? { vendorTimeoutMs: int('vendor-timeout', values['vendor-timeout'], 1)! * 1000 }
      : {}),
    ...vendorLimits(values, env),
    connectionLimits: {
      ...(values['max-connections']
        ? { maxConnections: int('max-connections', values['max-connections'], 1)! }
        : {}),
      ...(values['header-timeout']
        ? { headersMs: int('header-timeout', values['header-timeout'], 1)! * 1000 }
        : {}),
    },
    envKey: env.EXPORT_MANAGER_API_KEY || undefined,
    version,
    logger,
    ...(queue ? { queue } : {}),
    staticDir,
    ...(storage ? { storage } : {}),
    store,
    publicUrl: values['public-url'] ?? (env.EXPORT_MANAGER_PUBLIC_URL || undefined),
    teamKey: env.EXPORT_MANAGER_TEAM_KEY || undefined,
  });

  // Before the first line a parent may act on: a SIGTERM right after "listening" stops cleanly
  // (engine.pid removed) instead of killing the process by default.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping; running jobs finish their current step.`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  console.log(`Export Manager listening on ${server.url}`);
  console.log(`Open in your browser: ${server.tokenUrl()}`);
  const src = server.engine.keys.keySource;
  console.log(
    src.kind === 'env'
      ? 'API key: the one in EXPORT_MANAGER_API_KEY'
      : `API key: in ${src.path} (send it as "Authorization: Bearer <key>")`,
  );
  console.log(`Data folder: ${dataDir}`);
  if (storage) console.log(`Export files: ${storage.location}`);
  if (store) console.log(`Job store: ${redactUrl(store)} (shared, work through its pg-boss queue)`);
}

async function doctor(dataDir: string, repair: boolean): Promise<number> {
  const { runDoctor } = await import('./engine/safety/doctor.ts');
  const report = runDoctor(dataDir, { repair });
  if (report.ok) {
    console.log(`The job store in ${dataDir} passed integrity_check.`);
    return 0;
  }
  console.log(`The job store in ${dataDir} is damaged:`);
  for (const p of report.problems) console.log(`  ${p}`);
  if (!report.repaired) {
    console.log(
      'Run again with --repair to rebuild it from what is readable (the damaged file is kept).',
    );
    return 1;
  }
  const { damagedCopy, rows, lost } = report.repaired;
  console.log(`Rebuilt. The damaged file is kept as ${damagedCopy}.`);
  for (const [table, n] of Object.entries(rows)) console.log(`  ${table}: ${n} rows recovered`);
  for (const l of lost) console.log(`  not recovered: ${l}`);
  return 0;
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  main(process.argv.slice(2), process.env).catch((err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      console.error(
        `Export Manager cannot start: port ${String((e as { port?: number }).port ?? '')} is in use. Pick another with --port.`,
      );
    else console.error(`Export Manager cannot start: ${e.message}`);
    process.exit(1);
  });
}
