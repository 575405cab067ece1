// A real `export-manager serve` process for the reliability suite: start, kill -9, restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnServe } from '../helpers/spawn-serve.ts';

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
  env: NodeJS.ProcessEnv = process.env,
  /** Runs it under `ulimit -n` this low (POSIX shells). */
  fdLimit?: number,
): Promise<ServeProcess> {
  const serve = await spawnServe(args, env, { dataDir, port, fdLimit });
  const { base, child } = serve;
  const key = readFileSync(join(dataDir, 'api-key'), 'utf8').trim();
  return {
    base,
    port: Number(new URL(base).port),
    key,
    child,
    output: serve.output,
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
    kill9: serve.kill,
    stop: serve.stop,
  };
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** Runs `export-manager ARGS` to its end (a serve that must refuse, a crash point, doctor). */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 30_000,
): Promise<CliRun> {
  const child = spawn(process.execPath, [join(root, 'electron/cli.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    }),
  );
}

/** Resolves when the serve process has ended (by a crash point's SIGKILL, say). */
export function ended(
  p: ServeProcess,
  timeoutMs = 30_000,
): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve, reject) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null)
      return resolve(p.child.signalCode ?? p.child.exitCode);
    const timer = setTimeout(() => reject(new Error(`still running:\n${p.output()}`)), timeoutMs);
    p.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? code);
    });
  });
}
