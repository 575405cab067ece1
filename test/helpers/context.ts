// A fresh engine context per test: temp data dir, migrated store, fake clock, quiet logger.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  enginePaths,
  type EngineConfig,
  type EngineContext,
} from '../../electron/engine/context.ts';
import { EventBus } from '../../electron/engine/events.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { FakeClock } from './fake-clock.ts';
import { openSqliteTestStore, openTestStore } from './test-store.ts';

export interface TestContext extends EngineContext {
  readonly clock: FakeClock;
  cleanup(): void;
}

export function tempDir(prefix = 'em-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface ContextOptions {
  /**
   * A SQLite store file of its own choosing (one that other engines share, say) rather than the
   * test store in the data folder; SQLite even under the PostgreSQL matrix.
   */
  readonly storeFile?: string;
  /** How the temp data folder's name starts. */
  readonly dirPrefix?: string;
}

export function makeContext(
  config: Partial<EngineConfig> = {},
  opts: ContextOptions = {},
): TestContext {
  const dataDir = tempDir(opts.dirPrefix);
  const paths = enginePaths(dataDir);
  for (const dir of [paths.datasetsDir, paths.filesDir, paths.tmpDir])
    mkdirSync(dir, { recursive: true });
  const store = opts.storeFile ? openSqliteTestStore(opts.storeFile) : openTestStore(paths.dbFile);
  const db = store.db;
  const clock = new FakeClock();
  return {
    db,
    clock,
    events: new EventBus(),
    logger: silentLogger,
    paths,
    config: {
      dataDir,
      urlTtlSeconds: 900,
      retentionSeconds: 604800,
      demoRows: 0,
      maxRows: 10_000_000,
      concurrency: 2,
      version: '0.0.0-test',
      ...config,
    },
    baseUrl: () => 'http://127.0.0.1:8787',
    cleanup() {
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
