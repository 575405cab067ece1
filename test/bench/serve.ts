// `export-manager serve` as a child process, driven through its HTTP API only, and watched live
// through /v1/events so completion is seen the moment it happens (a slow poll would add its delay).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './data.ts';
import { exited, startChild, stopChild } from './children.ts';

/** The bundle `npm start` and the desktop app run (built by the bench before it starts). */
export const cliPath = join(repoRoot, 'out', 'main', 'cli.js');

/** Builds the bundles with electron-vite, as `npm start` does; throws with its output on failure. */
export function buildBundle(): void {
  const r = spawnSync(join(repoRoot, 'node_modules', '.bin', 'electron-vite'), ['build'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}${r.stderr}`);
}

export interface ServeOptions {
  readonly dataDir: string;
  /** Where stdout and stderr go (the serve log is kept for a look after a failed run). */
  readonly logFile: string;
  /** Node flags, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
  readonly args?: readonly string[];
}

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

type Resource = Record<string, unknown> & { status?: string };
interface Waiter {
  readonly key: string;
  readonly done: readonly string[];
  readonly failed: readonly string[];
  readonly resolve: (r: { at: number; value: Resource }) => void;
  readonly reject: (e: Error) => void;
}

export class Serve {
  readonly url: string;
  readonly key: string;
  readonly child: ChildProcess;
  readonly #log: WriteStream;
  readonly #latest = new Map<string, Resource>();
  readonly #waiters = new Set<Waiter>();
  readonly #events = new AbortController();
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });

  /** Where serve's stderr (its log) goes. */
  logFile = '';

  private constructor(url: string, key: string, child: ChildProcess, log: WriteStream) {
    this.url = url;
    this.key = key;
    this.child = child;
    this.#log = log;
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(opts: ServeOptions): Promise<Serve> {
    const key = randomBytes(24).toString('hex');
    const log = createWriteStream(opts.logFile, { flags: 'a' });
    const child = startChild(
      process.execPath,
      [
        ...(opts.nodeArgs ?? []),
        cliPath,
        'serve',
        '--port',
        '0',
        '--data-dir',
        opts.dataDir,
        '--demo-rows',
        '0',
        ...(opts.args ?? []),
      ],
      { env: { ...process.env, EXPORT_MANAGER_API_KEY: key }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr!.pipe(log, { end: false });
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        log.write(line + '\n');
        const m = /listening on (http:\/\/\S+)/.exec(line);
        if (m) resolve(m[1]!);
      });
      void exited(child).then((code) =>
        reject(new Error(`serve exited (${code}) before listening; see ${opts.logFile}`)),
      );
    });
    const serve = new Serve(url, key, child, log);
    void exited(child).then((code) => {
      for (const w of serve.#waiters) w.reject(new Error(`serve exited (${code})`));
      serve.#waiters.clear();
    });
    await serve.#watch();
    serve.logFile = opts.logFile;
    return serve;
  }

  async api<T = Resource>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as { data?: T }) : {};
    return { status: res.status, body: (json.data ?? json) as T };
  }

  /**
   * A request through node:http on one kept-alive connection, for rows that time many requests:
   * the load generator should cost the machine little, as autocannon does for api_get_export.
   * fetch (undici) adds about a millisecond of CPU per request and garbage collections of its own,
   * which made up most of a list-page p99 measured through it, on a machine with two cores.
   */
  raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: Buffer }> {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(this.url + path, {
        method,
        agent: this.#agent,
        headers: {
          authorization: `Bearer ${this.key}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': payload.length }
            : {}),
        },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload ?? undefined);
    });
  }

  /** Like api(), but throws unless the status is 2xx. */
  async ok<T = Resource>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.api<T>(method, path, body);
    if (r.status < 200 || r.status > 299)
      throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Resolves when the export is completed (rejects when it fails); `at` is performance.now(). */
  waitExport(id: string): Promise<{ at: number; value: Resource }> {
    return this.#wait(`export:${id}`, ['completed'], ['failed', 'canceled', 'expired'], () =>
      this.ok(`GET`, `/v1/exports/${id}`),
    );
  }

  waitDataset(name: string): Promise<{ at: number; value: Resource }> {
    return this.#wait(`dataset:${name}`, ['ready'], ['failed'], () =>
      this.ok('GET', `/v1/datasets/${encodeURIComponent(name)}`),
    );
  }

  async stop(): Promise<void> {
    this.#events.abort();
    this.#agent.destroy();
    await stopChild(this.child);
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }

  #wait(
    key: string,
    done: readonly string[],
    failed: readonly string[],
    read: () => Promise<Resource>,
  ): Promise<{ at: number; value: Resource }> {
    return new Promise((resolve, reject) => {
      // Events carry every change; the slow poll only guards against a dropped stream.
      const backstop = setInterval(() => {
        read().then(
          (v) => this.#update(key, v),
          () => undefined,
        );
      }, 1000);
      const waiter: Waiter = {
        key,
        done,
        failed,
        resolve: (r) => {
          clearInterval(backstop);
          resolve(r);
        },
        reject: (e) => {
          clearInterval(backstop);
          reject(e);
        },
      };
      this.#waiters.add(waiter);
      const seen = this.#latest.get(key);
      if (seen) this.#update(key, seen);
    });
  }

  #update(key: string, value: Resource): void {
    const at = performance.now();
    this.#latest.set(key, value);
    for (const w of this.#waiters) {
      if (w.key !== key) continue;
      if (w.done.includes(value.status ?? '')) {
        this.#waiters.delete(w);
        w.resolve({ at, value });
      } else if (w.failed.includes(value.status ?? '')) {
        this.#waiters.delete(w);
        w.reject(new Error(`${key} ended ${value.status}: ${JSON.stringify(value.error)}`));
      }
    }
  }

  /** Opens /v1/events and feeds every export and dataset change into #update. */
  async #watch(): Promise<void> {
    const res = await fetch(this.url + '/v1/events', {
      headers: { authorization: `Bearer ${this.key}`, accept: 'text/event-stream' },
      signal: this.#events.signal,
    });
    if (!res.ok || !res.body) throw new Error(`GET /v1/events -> ${res.status}`);
    const decoder = new TextDecoder();
    let buf = '';
    const onBlock = (block: string) => {
      let event = '';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (!data) return;
      const value = JSON.parse(data) as Resource;
      if (event.startsWith('export.') && typeof value.id === 'string')
        this.#update(`export:${value.id}`, value);
      else if (event === 'dataset.updated' && typeof value.name === 'string')
        this.#update(`dataset:${value.name}`, value);
    };
    void (async () => {
      try {
        const reader = res.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            onBlock(buf.slice(0, end));
            buf = buf.slice(end + 2);
          }
        }
      } catch {
        // Aborted on stop(); the backstop poll covers any other loss.
      }
    })();
  }
}
