// Starts the real servers of the team tests with the project's own scripts (start-s3.sh,
// start-postgres.sh) and stops them. A script that exits 3 means its packages are not installed
// here: the caller skips with that reason; any other failure is a failure.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const here = import.meta.dirname;

export interface StartedServer {
  readonly env: Readonly<Record<string, string>>;
  /** Milliseconds the script took to print READY. */
  readonly startMs: number;
  stop(): Promise<void>;
}

export type Started = { ok: true; server: StartedServer } | { ok: false; skipReason: string };

function run(script: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [join(here, script), ...args],
      { timeout: 180_000, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, out: String(stdout), err: String(stderr) });
      },
    );
  });
}

async function start(script: string, dirKey: string): Promise<Started> {
  const t0 = performance.now();
  const r = await run(script, []);
  if (r.code === 3) return { ok: false, skipReason: r.err.trim() };
  const lines = r.out.trim().split('\n');
  if (r.code !== 0 || lines.at(-1) !== 'READY')
    throw new Error(`${script} failed (exit ${r.code}):\n${r.err.slice(-4000)}`);
  const env: Record<string, string> = {};
  for (const line of lines.slice(0, -1)) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const startMs = performance.now() - t0;
  const dir = env[dirKey];
  if (!dir) throw new Error(`${script} printed no ${dirKey}`);
  return {
    ok: true,
    server: {
      env,
      startMs,
      async stop() {
        await run(script, ['stop', dir]);
      },
    },
  };
}

/** radosgw over a one-monitor, one-memstore-OSD Ceph cluster: S3_ENDPOINT, S3_ACCESS_KEY, ... */
export const startS3 = () => start('start-s3.sh', 'S3_DIR');

/** A throwaway PostgreSQL 15 cluster: PG_URL, PG_SOCKET_DIR, PG_PORT. */
export const startPostgres = () => start('start-postgres.sh', 'PG_DIR');

/** The one message a skipped team test prints. */
export function skipNotice(what: string, reason: string): string {
  return `team tests on ${what} skipped: ${reason}`;
}

/**
 * For a test file on PostgreSQL: starts the throwaway cluster as the file loads (so that
 * `describe.skipIf(!pg.ok)` knows at collection) and stops it after all its tests. Where the
 * cluster cannot start here, says why once and gives `ok: false` and an empty url.
 */
export async function usePostgres(): Promise<{ readonly ok: boolean; readonly url: string }> {
  // Imported here: the bench loads this module outside vitest.
  const { afterAll } = await import('vitest');
  const started = await startPostgres();
  if (!started.ok) {
    console.warn(skipNotice('PostgreSQL', started.skipReason));
    return { ok: false, url: '' };
  }
  afterAll(() => started.server.stop(), 60_000);
  return { ok: true, url: started.server.env.PG_URL! };
}
