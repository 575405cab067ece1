// A team's engines as real processes: `export-manager serve --store postgres://… --storage s3://…`
// started from the source, each with its own data folder, all sharing one PostgreSQL database, one
// bucket, one team key and one API key. Used by the fleet tests and the bench's fleet row.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe } from '../helpers/spawn-serve.ts';

export const FLEET_API_KEY = 'em_fleet_key_0123456789abcdef';
export const FLEET_TEAM_KEY = Buffer.alloc(32, 42).toString('base64');

export interface FleetTarget {
  /** postgres://… of the shared store (its database must exist). */
  readonly store: string;
  /** s3://bucket/prefix?endpoint=… of the shared storage. */
  readonly storage: string;
  /** S3 credentials, as the engines read them from the environment. */
  readonly awsAccessKeyId: string;
  readonly awsSecretAccessKey: string;
  /** More environment for every engine (test seams such as shorter leases). */
  readonly env?: Readonly<Record<string, string>>;
  /** More serve flags for every engine. */
  readonly args?: readonly string[];
}

export interface FleetEngine {
  readonly name: string;
  readonly base: string;
  readonly child: ChildProcess;
  output(): string;
  /** fetch() against this engine's API with the fleet's key. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** SIGKILL: no shutdown, no lease handed back. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export async function startEngine(name: string, target: FleetTarget): Promise<FleetEngine> {
  const dataDir = mkdtempSync(join(tmpdir(), `em-fleet-${name}-`));
  const serve = await spawnServe(
    [
      '--demo-rows',
      '0',
      '--store',
      target.store,
      '--storage',
      target.storage,
      ...(target.args ?? []),
    ],
    {
      ...process.env,
      EXPORT_MANAGER_API_KEY: FLEET_API_KEY,
      EXPORT_MANAGER_TEAM_KEY: FLEET_TEAM_KEY,
      AWS_ACCESS_KEY_ID: target.awsAccessKeyId,
      AWS_SECRET_ACCESS_KEY: target.awsSecretAccessKey,
      // A dead engine's jobs move on after 10 s without a heartbeat (pg-boss's least) plus a
      // monitor pass every second, rather than 30 s + 10 s.
      EXPORT_MANAGER_QUEUE_HEARTBEAT_SECONDS: '10',
      EXPORT_MANAGER_QUEUE_MONITOR_SECONDS: '1',
      ...target.env,
    },
    { dataDir, name, apiKeyLine: true, timeoutMs: 60_000 },
  );
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  const { base } = serve;
  return {
    name,
    base,
    child: serve.child,
    output: serve.output,
    api: (path, init = {}) =>
      fetch(base + path, {
        ...init,
        headers: {
          authorization: `Bearer ${FLEET_API_KEY}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
    async kill() {
      await serve.kill();
      cleanup();
    },
    async stop() {
      await serve.stop();
      cleanup();
    },
  };
}

/** A new, empty database on the cluster at `adminUrl` (…/postgres), as a postgres:// URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
