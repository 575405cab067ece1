// Starts engine + server on a loopback port: shared by the `serve` CLI and the Electron main process.
import type { AddressInfo } from 'node:net';
import { createEngine, type Engine, type EngineOptions } from '../engine/engine.ts';
import { installLastResort } from '../engine/exports/job-scope.ts';
import { surviveClosedOutput } from '../engine/logger.ts';
import { lockDataFolder } from '../engine/safety/data-folder-lock.ts';
import { buildApp, type App } from './app.ts';
import type { EarlyListener } from './early-listener.ts';

export { packageVersion } from './package-version.ts';
import {
  defaultConnectionLimits,
  limitConnections,
  type ConnectionLimits,
} from './connection-limits.ts';

export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'] as const;

export interface RunningServer {
  readonly engine: Engine;
  readonly app: App;
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** A fresh one-time sign-in link for a browser tab. */
  tokenUrl(): string;
  close(): Promise<void>;
}

export interface StartOptions extends EngineOptions {
  readonly host?: string;
  readonly port?: number;
  readonly staticDir: string | null;
  readonly extraOrigins?: readonly string[];
  /**
   * A team engine's address as its clients reach it (serve --public-url http://host:port): needed
   * to listen beyond loopback; links point at it and its Host is answered.
   */
  readonly publicUrl?: string | undefined;
  /** Descriptor budget of the API server (defaults: 256 connections, 64 unproven, 10 s, 5 s). */
  readonly connectionLimits?: Partial<ConnectionLimits>;
  /** Who holds the data folder, as the second engine's refusal names it: 'serve' or 'desktop app'. */
  readonly shell?: string;
  /** The port already bound and answering "starting" (early-listener.ts): the API adopts it. */
  readonly early?: EarlyListener;
}

/**
 * A few turns of the event loop, so the early port answers whatever waited while a synchronous
 * phase of the start ran (loading modules, opening the store, building the API).
 */
export async function yieldToEarly(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const publicUrl = opts.publicUrl ? checkedPublicUrl(opts.publicUrl) : undefined;
  if (!(LOOPBACK_HOSTS as readonly string[]).includes(host) && !publicUrl) {
    throw new Error(
      `--host must be a loopback address (127.0.0.1, localhost or ::1), not ${host}: the API is for this machine only. ` +
        'A team engine other machines reach also gives --public-url (the address they use).',
    );
  }
  // Before the store opens: a second engine must not recover (and take over) the first one's jobs.
  const lock = lockDataFolder(opts.dataDir, opts.shell ?? 'serve');
  let engine: Engine;
  try {
    engine = createEngine(opts);
  } catch (err) {
    lock.release();
    throw err;
  }
  if (opts.early) await yieldToEarly();
  if (lock.staleHolder)
    engine.ctx.logger.info('took over the data folder from an engine that is no longer running', {
      pid: lock.staleHolder.pid,
      shell: lock.staleHolder.shell,
    });
  // From here on, an uncaught error fails the export that raised it, never the process; a closed
  // stdout or stderr is not one (logger.ts surviveClosedOutput).
  surviveClosedOutput();
  const removeLastResort = installLastResort(engine.ctx.logger);
  const early = opts.early;
  let port = early ? (early.server.address() as AddressInfo).port : 0;
  let app: App;
  try {
    let handler: Parameters<EarlyListener['handOver']>[0] | null = null;
    app = await buildApp({
      engine,
      port: () => port,
      staticDir: opts.staticDir,
      extraOrigins: opts.extraOrigins,
      publicUrl,
      ...(early
        ? {
            serverFactory: (h: NonNullable<typeof handler>) => {
              handler = h;
              return early.server;
            },
          }
        : {}),
    });
    limitConnections(app.server, { ...defaultConnectionLimits, ...opts.connectionLimits });
    if (early && handler) {
      await yieldToEarly();
      await app.ready();
      early.handOver(handler);
    } else
      await app.listen({
        host: host === 'localhost' ? '127.0.0.1' : host,
        port: opts.port ?? 8787,
      });
  } catch (err) {
    await engine.close();
    removeLastResort();
    lock.release();
    await early?.close();
    throw err;
  }
  port = (app.server.address() as AddressInfo).port;
  const urlHost = host === '::1' ? '[::1]' : '127.0.0.1';
  const url = publicUrl ?? `http://${urlHost}:${port}`;
  engine.setListening(url, port);
  await engine.start();
  let closing: Promise<void> | null = null;
  return {
    engine,
    app,
    port,
    url,
    tokenUrl: () => `${url}/?token=${engine.keys.issueToken()}`,
    close() {
      closing ??= (async () => {
        await app.close();
        // fastify closes only a server it bound itself.
        await early?.close();
        try {
          await engine.close();
        } finally {
          removeLastResort();
          lock.release();
        }
      })();
      return closing;
    },
  };
}

/** --public-url: an http(s) origin with nothing after it. */
function checkedPublicUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(
      `--public-url must be a URL such as http://exports.example.com:8787, not "${value}".`,
    );
  }
  if (!['http:', 'https:'].includes(u.protocol) || u.pathname !== '/' || u.search || u.hash)
    throw new Error(`--public-url must be an http(s) origin with no path, not "${value}".`);
  return u.origin;
}
