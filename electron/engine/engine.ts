// createEngine: the one object both shells host. Built, not global: tests make one per test.
import { mkdirSync } from 'node:fs';
import { systemClock, type Clock } from './clock.ts';
import { enginePaths, type EngineConfig, type EngineContext } from './context.ts';
import { createKeysService, type KeysService } from './auth/keys-service.ts';
import { createDatasetsService, type DatasetsService } from './datasets/datasets-service.ts';
import { exportFileResolver } from './exports/export-file-ref.ts';
import { createExportsRepo } from './exports/exports-repo.ts';
import { createExportsService, type ExportsService } from './exports/exports-service.ts';
import type { WorkQueue } from './exports/work-queue.ts';
import { datasetRequestValidator } from './schedules/schedule-input.ts';
import { createSchedulesService, type SchedulesService } from './schedules/schedules-service.ts';
import {
  createLocalStorage,
  withStoredCopies,
  type ExportStorage,
} from './storage/export-storage.ts';
import { createFileStore } from './storage/files.ts';
import { createPresigner, type Presigner } from './storage/presigner.ts';
import {
  createProvidersService,
  type ProvidersDeps,
  type ProvidersService,
} from './providers/providers-service.ts';
import { createRemoteJobRunner } from './providers/remote-runner.ts';
import type { RemoteRunnerSettings } from './providers/remote-settings.ts';
import {
  createKeyFileSecretBox,
  createTeamKeySecretBox,
  type SecretBox,
} from './providers/secret-box.ts';
import { createEventLog, type EventLog, type EventLogLimits } from './event-log.ts';
import { EventBus } from './events.ts';
import { createLogger, type Logger } from './logger.ts';
import { createSettingsService, type SettingsService } from './settings/settings-service.ts';
import type { VendorDeadlines } from './providers/deadlines.ts';
import type { FileUrlScope } from './providers/url-policy.ts';
import {
  isDamageError,
  quickCheck,
  StoreDamagedError,
  tightenPermissions,
} from './safety/store-health.ts';
import { openDatabase, type Db } from './store/db.ts';
import { isPostgresUrl } from './store/postgres/pg-url.ts';
import { openPgStore } from './store/postgres/pg-store.ts';
import { isShared, sqliteStore, type StoreDb } from './store/store-db.ts';
import { teamKeys } from './team-key.ts';

export interface EngineOptions {
  readonly dataDir: string;
  /**
   * The job store: a postgres:// URL for one store shared by a team's engines (it then needs
   * `teamKey`); default the SQLite file in the data folder.
   */
  readonly store?: string | undefined;
  /** EXPORT_MANAGER_TEAM_KEY (team-key.ts): required with a shared store. */
  readonly teamKey?: string | undefined;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly urlTtlSeconds?: number;
  readonly retentionSeconds?: number;
  readonly demoRows?: number;
  /** How many events, and for how long, GET /v1/events can replay. */
  readonly eventLogLimits?: EventLogLimits;
  readonly maxRows?: number;
  readonly concurrency?: number;
  readonly version?: string;
  /** EXPORT_MANAGER_API_KEY, accepted besides the keys in the store. */
  readonly envKey?: string;
  /** Flags the user gave explicitly win over stored settings for this run. */
  readonly explicit?: { urlTtl: boolean; retention: boolean };
  /** Tests only: progress period and an injected disk-full point for local exports. */
  readonly exportsTestSeams?: { progressMs?: number; failAfterBytes?: number };
  /** Where completed export files live (default: the data folder). The engine closes it. */
  readonly storage?: ExportStorage;
  /**
   * Team mode: the job queue every engine process shares (exports/work-queue.ts, openTeamQueue);
   * exports are delivered by it instead of polled from the store. The engine closes it.
   */
  readonly queue?: WorkQueue;
  /** Seals provider credentials; the desktop shell passes the OS keychain's. Default: a key file. */
  readonly secretBox?: SecretBox;
  /** A vendor request with no answer (or a body that stalls) this long fails and is retried. */
  readonly vendorTimeoutMs?: number;
  /** Overall deadlines of a vendor export's create, wait and download phases. */
  readonly vendorDeadlines?: Partial<VendorDeadlines>;
  /** 'public': vendor file links may not point at loopback or private addresses (default 'any'). */
  readonly vendorFileUrls?: FileUrlScope;
  /** Tests only: shorter vendor timeouts, backoffs and polls. */
  readonly providersTestSeams?: {
    http?: ProvidersDeps['http'];
    testDeadlineMs?: number;
    runner?: Partial<RemoteRunnerSettings>;
  };
}

export const defaults = {
  urlTtlSeconds: 900,
  retentionSeconds: 604_800,
  demoRows: 100_000,
  maxRows: 10_000_000,
  concurrency: 2,
} as const;

export interface Engine {
  readonly ctx: EngineContext;
  readonly keys: KeysService;
  readonly settings: SettingsService;
  readonly datasets: DatasetsService;
  readonly exports: ExportsService;
  readonly providers: ProvidersService;
  readonly schedules: SchedulesService;
  readonly presigner: Presigner;
  /** Where completed export files live: the data folder or an S3 bucket. */
  readonly storage: ExportStorage;
  /** Every bus event with its store-issued id, replayable by GET /v1/events. */
  readonly eventLog: EventLog;
  /** Tells the engine where it is reachable, once the server listens (for presigned links). */
  setListening(baseUrl: string, port: number): void;
  /** Recovery, demo dataset, queues and timers. */
  start(): Promise<void>;
  /** Lets running jobs reach a safe point, stops timers, closes the store. */
  close(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const paths = enginePaths(options.dataDir);
  for (const dir of [paths.dataDir, paths.datasetsDir, paths.filesDir, paths.tmpDir])
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  const team = options.store ? teamKeys(options.teamKey) : null;
  const logger = options.logger ?? createLogger('info');
  const db = options.store
    ? openSharedStore(options.store)
    : openCheckedStore(paths.dbFile, paths.dataDir, (err) =>
        logger.error('the store could not be synced to disk', { error: err.message }),
      );
  tightenPermissions(paths.dataDir);
  const config: EngineConfig = {
    dataDir: paths.dataDir,
    urlTtlSeconds: options.urlTtlSeconds ?? defaults.urlTtlSeconds,
    retentionSeconds: options.retentionSeconds ?? defaults.retentionSeconds,
    demoRows: options.demoRows ?? defaults.demoRows,
    maxRows: options.maxRows ?? defaults.maxRows,
    concurrency: options.concurrency ?? defaults.concurrency,
    version: options.version ?? '0.0.0',
  };
  let baseUrl = 'http://127.0.0.1:0';
  let port = 0;
  const ctx: EngineContext = {
    db,
    clock: options.clock ?? systemClock,
    events: new EventBus(),
    logger,
    config,
    paths,
    baseUrl: () => baseUrl,
  };

  const eventLog = createEventLog(ctx, options.eventLogLimits);
  const keys = createKeysService(ctx, { envKey: options.envKey });
  const settings = createSettingsService(ctx, {
    port: () => port,
    explicit: options.explicit ?? {
      urlTtl: options.urlTtlSeconds !== undefined,
      retention: options.retentionSeconds !== undefined,
    },
  });

  const staging = createFileStore(paths.filesDir);
  const storage = options.storage ?? createLocalStorage(staging);
  const files = withStoredCopies(staging, storage, ctx.logger);
  const presigner = createPresigner(paths.dataDir, team?.links);
  // An export reads a dataset and a dataset may import an export: both get the one exports repo,
  // built first, so neither service needs the other.
  const exportsRepo = createExportsRepo(db);
  const datasets = createDatasetsService(ctx, {
    resolveExportFile: exportFileResolver(exportsRepo, files, storage),
  });
  const providers = createProvidersService(ctx, {
    secrets:
      options.secretBox ??
      (team
        ? createTeamKeySecretBox(team.credentials)
        : createKeyFileSecretBox(paths.dataDir, ctx.logger)),
    http: {
      ...(options.vendorTimeoutMs
        ? { headersTimeoutMs: options.vendorTimeoutMs, bodyTimeoutMs: options.vendorTimeoutMs }
        : {}),
      ...options.providersTestSeams?.http,
    },
    ...(options.providersTestSeams?.testDeadlineMs
      ? { testDeadlineMs: options.providersTestSeams.testDeadlineMs }
      : {}),
  });
  const remote = createRemoteJobRunner(ctx, {
    providers,
    settings: {
      ...options.vendorDeadlines,
      ...(options.vendorFileUrls ? { fileUrls: options.vendorFileUrls } : {}),
      ...options.providersTestSeams?.runner,
    },
  });
  const exportsSvc = createExportsService(ctx, {
    repo: exportsRepo,
    datasets,
    files,
    storage,
    ...(options.queue ? { queue: options.queue } : {}),
    presigner,
    remote,
    providers,
    ...(options.exportsTestSeams ?? {}),
  });
  const schedules = createSchedulesService(ctx, {
    exports: exportsSvc,
    validateRequest: datasetRequestValidator(datasets),
  });

  let closed = false;
  return {
    ctx,
    keys,
    settings,
    datasets,
    exports: exportsSvc,
    providers,
    schedules,
    presigner,
    storage,
    eventLog,
    setListening(url, p) {
      baseUrl = url;
      port = p;
    },
    async start() {
      // On a shared store another engine may be importing right now: only a lone engine knows
      // that an import left `importing` was interrupted.
      if (!isShared(db)) datasets.recover();
      await datasets.ensureDemo(config.demoRows);
      exportsSvc.start();
      schedules.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await schedules.close();
      await exportsSvc.close();
      await providers.close();
      await datasets.close();
      await files.settled();
      storage.close();
      eventLog.close();
      db.close();
    },
  };
}

/** The store on PostgreSQL, migrated (under an advisory lock: engines starting together migrate once). */
function openSharedStore(url: string): StoreDb {
  if (!isPostgresUrl(url))
    throw new Error(`--store must be a postgres:// URL, not "${url.slice(0, 40)}".`);
  const db = openPgStore(url);
  try {
    db.migrate();
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Opens the job store and refuses (keeping the file untouched) one that fails quick_check. */
function openCheckedStore(
  file: string,
  dataDir: string,
  onSyncError: (err: Error) => void,
): StoreDb {
  let db: Db;
  try {
    db = openDatabase(file, { beforeMigrate: quickCheck, onSyncError });
  } catch (err) {
    if (err instanceof StoreDamagedError || !isDamageError(err)) throw err;
    throw new StoreDamagedError(file, dataDir, (err as Error).message);
  }
  return sqliteStore(db);
}
