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
  env: NodeJS.ProcessEnv = process.env,
  /** Runs it under `ulimit -n` this low (POSIX shells). */
  fdLimit?: number,
): Promise<ServeProcess> {
  const argv = [
    join(root, 'electron/cli.ts'),
    'serve',
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    ...args,
  ];
  const quoted = [process.execPath, ...argv].map((a) => `'${a.replaceAll("'", "'\\''")}'`);
  const child =
    fdLimit === undefined
      ? spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env })
      : spawn('sh', ['-c', `ulimit -n ${fdLimit} && exec ${quoted.join(' ')}`], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env,
        });
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
