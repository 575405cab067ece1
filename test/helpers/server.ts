// An engine + fastify app per test, driven through inject() with the right Host and key.
import { rmSync } from 'node:fs';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../../electron/server/app.ts';
import { createEngine, type Engine, type EngineOptions } from '../../electron/engine/engine.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { tempDir } from './context.ts';
import { matrixEngineOptions } from './test-store.ts';

export const TEST_KEY = 'em_test_key_0123456789abcdef';
export const PORT = 8787;
export const HOST = `127.0.0.1:${PORT}`;

export interface TestServer {
  readonly app: App;
  readonly engine: Engine;
  readonly dataDir: string;
  /** inject() as a local tool would: right Host, the API key. Override either in opts.headers. */
  call(opts: InjectOptions & { key?: string | null }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function makeServer(
  options: Partial<EngineOptions> = {},
  staticDir: string | null = null,
): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const engine = createEngine({
    dataDir,
    demoRows: 0,
    envKey: TEST_KEY,
    logger: silentLogger,
    version: '0.0.0-test',
    ...(options.store === undefined ? matrixEngineOptions(dataDir) : {}),
    ...options,
  });
  engine.setListening(`http://${HOST}`, PORT);
  const app = await buildApp({ engine, port: () => PORT, staticDir, heartbeatMs: 50 });
  await engine.start();
  return {
    app,
    engine,
    dataDir,
    call({ key = TEST_KEY, ...opts }) {
      const headers: Record<string, string> = {
        host: HOST,
        ...(opts.headers as Record<string, string> | undefined),
      };
      if (key !== null && headers.authorization === undefined)
        headers.authorization = `Bearer ${key}`;
      return app.inject({ ...opts, headers });
    },
    async close() {
      await app.close();
      await engine.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
