// A real engine on a real loopback port (any free one), in a folder of its own, for tests that need
// sockets rather than inject(): raw HTTP, SSE back-pressure, 100-continue.
import { rmSync } from 'node:fs';
import { startServer, type RunningServer, type StartOptions } from '../../electron/server/serve.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { tempDir } from './context.ts';

export interface Listening {
  readonly server: RunningServer;
  /** Closes the server and removes its data folder. */
  stop(): Promise<void>;
}

export async function startListening(
  key: string,
  extra: Partial<StartOptions> = {},
): Promise<Listening> {
  const dataDir = tempDir();
  const server = await startServer({
    dataDir,
    port: 0,
    demoRows: 0,
    envKey: key,
    logger: silentLogger,
    staticDir: null,
    ...extra,
  });
  return {
    server,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
