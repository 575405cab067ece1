// A real `export-manager serve` process for the reliability suite: start, kill -9, restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface ServeProcess {
  readonly base: string;
  readonly port: number;
  readonly key: string;
  readonly child: ChildProcess;
  output(): string;
  /** The API with the key, JSON in and out. */
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServe(
  dataDir: string,
  args: readonly string[] = [],
  port = 0,
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'electron/cli.ts'),
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!/listening on (http:\/\/\S+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`serve did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const base = /listening on (http:\/\/\S+)/.exec(out)![1]!;
  const key = readFileSync(join(dataDir, 'api-key'), 'utf8').trim();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    base,
    port: Number(new URL(base).port),
    key,
    child,
    output: () => out,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(base + path, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
