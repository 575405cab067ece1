// The real `export-manager serve` as a child process (the CLI, as a user would start it): its
// stdout and stderr collected, started once its banner says where it listens. The one way the e2e
// fixture, the reliability suite, the team's fleet, the local-tool and the packaging tests start it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface SpawnServeOptions {
  /** --data-dir. */
  readonly dataDir: string;
  /** --port; 0 (the default) takes any free one. */
  readonly port?: number;
  /** The CLI entry node runs: electron/cli.ts by default (the packed out/main/cli.js, say). */
  readonly cli?: string;
  /** The child's working folder; unset, this process's. */
  readonly cwd?: string;
  /** Started only once the banner's "API key:" line is out too, not just "listening on". */
  readonly apiKeyLine?: boolean;
  /** How long it may take to start; 30 s unless told. */
  readonly timeoutMs?: number;
  /** Runs it under `ulimit -n` this low (POSIX shells). */
  readonly fdLimit?: number;
  /** What the errors call it ("serve" unless told). */
  readonly name?: string;
}

export interface SpawnedServe {
  /** http://127.0.0.1:PORT, as the banner printed it. */
  readonly base: string;
  readonly child: ChildProcess;
  /** All it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM (unless it has ended) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (unless it has ended) and wait for the exit: no shutdown. */
  kill(): Promise<void>;
}

const listening = /listening on (http:\/\/\S+)\r?\n/;
const listeningWithKey = /listening on (http:\/\/\S+)\r?\n[^]*API key: [^\n]*\n/;

const shellQuote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;

/**
 * Starts `serve --port PORT --data-dir DIR ...args` with exactly `env` as its environment, and
 * resolves once it listens; rejects (the child killed) when it exits first or takes too long.
 */
export async function spawnServe(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  opts: SpawnServeOptions,
): Promise<SpawnedServe> {
  const name = opts.name ?? 'serve';
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const argv = [
    opts.cli ?? join(root, 'electron/cli.ts'),
    'serve',
    '--port',
    String(opts.port ?? 0),
    '--data-dir',
    opts.dataDir,
    ...args,
  ];
  const [command, commandArgs] =
    opts.fdLimit === undefined
      ? [process.execPath, argv]
      : [
          'sh',
          [
            '-c',
            `ulimit -n ${opts.fdLimit} && exec ${[process.execPath, ...argv].map(shellQuote).join(' ')}`,
          ],
        ];
  const child = spawn(command, commandArgs, {
    cwd: opts.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let onOutput: (() => void) | undefined;
  const collect = (d: Buffer) => {
    out += d.toString();
    onOutput?.();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ended = async (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return; // never started ('error')
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };

  const ready = opts.apiKeyLine ? listeningWithKey : listening;
  let timer: NodeJS.Timeout | undefined;
  try {
    const base = await new Promise<string>((resolveBase, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name} did not start in ${timeoutMs / 1000} s:\n${out}`)),
        timeoutMs,
      );
      onOutput = () => {
        const m = ready.exec(out);
        if (m) resolveBase(m[1]!);
      };
      onOutput();
      // 'close', not 'exit': by then all it wrote is read, the reason it stopped included.
      child.once('close', (code, signal) =>
        reject(new Error(`${name} exited (${signal ?? code}) before listening:\n${out}`)),
      );
      child.once('error', reject);
    });
    return {
      base,
      child,
      output: () => out,
      stop: () => ended('SIGTERM'),
      kill: () => ended('SIGKILL'),
    };
  } catch (e) {
    await ended('SIGKILL');
    throw e;
  } finally {
    clearTimeout(timer);
    onOutput = undefined;
  }
}
