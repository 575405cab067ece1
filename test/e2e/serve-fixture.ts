// Starts the real `export-manager serve` (the CLI, as a user would) on a free port with a temp data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base } from '@playwright/test';

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
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(root, 'electron/cli.ts'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--demo-rows',
      String(opts.demoRows ?? 2000),
      ...args,
    ],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!/Open in your browser: (\S+)/.test(out)) {
    if (child.exitCode !== null) throw new Error(`serve exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`serve did not print its URL in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
  const tokenUrl = /Open in your browser: (\S+)/.exec(out)![1]!;
  const key = readFileSync(join(dataDir, 'api-key'), 'utf8').trim();
  return {
    url,
    tokenUrl,
    dataDir,
    key,
    output: () => out,
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
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
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
