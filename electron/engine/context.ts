// What every engine module receives: the store, the clock, the bus, the logger, the config.
import { join } from 'node:path';
import type { Clock } from './clock.ts';
import type { EventBus } from './events.ts';
import type { Logger } from './logger.ts';
import type { StoreDb } from './store/store-db.ts';

export interface EngineConfig {
  readonly dataDir: string;
  /** Lifetime of a presigned link, seconds (API.md: --url-ttl, default 900). Settings may change it: read it at use time. */
  urlTtlSeconds: number;
  /** How long a completed export is kept, seconds (API.md: --retention, default 7 days). Read at use time. */
  retentionSeconds: number;
  /** Rows of the demo dataset `leads` created on first run; 0 skips it. */
  readonly demoRows: number;
  /** More matching rows than this fails the export with QUERY_TOO_BROAD. */
  readonly maxRows: number;
  /** Local exports run at once (each a worker thread: CPU-bound). */
  readonly concurrency: number;
  readonly version: string;
}

export interface EnginePaths {
  readonly dataDir: string;
  readonly dbFile: string;
  /** One SQLite file per dataset: datasets/<name>.sqlite */
  readonly datasetsDir: string;
  /** Export files: files/<export id>/<filename> */
  readonly filesDir: string;
  /** Scratch space on the same file system, for .part files and imports in progress. */
  readonly tmpDir: string;
}

export function enginePaths(dataDir: string): EnginePaths {
  return {
    dataDir,
    dbFile: join(dataDir, 'export-manager.sqlite'),
    datasetsDir: join(dataDir, 'datasets'),
    filesDir: join(dataDir, 'files'),
    tmpDir: join(dataDir, 'tmp'),
  };
}

/** A local dataset's rows: datasets/<name>.sqlite in the data folder. */
export const datasetFile = (paths: EnginePaths, name: string): string =>
  join(paths.datasetsDir, `${name}.sqlite`);

export interface EngineContext {
  readonly db: StoreDb;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly config: EngineConfig;
  readonly paths: EnginePaths;
  /** The origin presigned links point at, e.g. http://127.0.0.1:8787; set once the server listens. */
  baseUrl(): string;
}
