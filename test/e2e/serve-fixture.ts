// Starts the real `export-manager serve` (the CLI, as a user would) on a free port with a temp data dir.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base } from '@playwright/test';
import { spawnServe } from '../helpers/spawn-serve.ts';

const root = resolve(import.meta.dirname, '../..');

export interface Served {
  readonly url: string;
  /** The printed sign-in link, usable once. */
  readonly tokenUrl: string;
  readonly dataDir: string;
  readonly key: string;
  readonly output: () => string;
  /** Calls the API with the key, as a local tool would. */
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startServe(
  args: string[] = [],
  env: Record<string, string> = {},
  opts: { dataDir?: string; demoRows?: number; keepData?: boolean } = {},
): Promise<Served> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'em-e2e-'));
  // The banner's "API key:" line follows the sign-in link's: both are out once it is.
  const serve = await spawnServe(
    ['--demo-rows', String(opts.demoRows ?? 2000), ...args],
    { ...process.env, ...env },
    { dataDir, cwd: root, apiKeyLine: true },
  );
  const url = serve.base;
  const tokenUrl = /Open in your browser: (\S+)/.exec(serve.output())![1]!;
  const key = readFileSync(join(dataDir, 'api-key'), 'utf8').trim();
  return {
    url,
    tokenUrl,
    dataDir,
    key,
    output: serve.output,
    async api(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as never };
    },
    async stop() {
      await serve.stop();
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Playwright test with a fresh `serve` per test. */
export const test = base.extend<{ served: Served }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured object.
  served: async ({}, use) => {
    const s = await startServe();
    await use(s);
    await s.stop();
  },
});
export { expect } from '@playwright/test';
