// The job store on PostgreSQL, shared by every engine process of a team: the same synchronous
// statements as better-sqlite3 (store-db.ts), answered by a `pg` connection on a worker thread
// (pg-bridge-worker.ts) while this thread waits on an Atomics flag. The engine's rule that a write
// is stored before anything is acknowledged holds unchanged; the cost is one round trip to the
// server per statement, during which this thread waits (README "Team mode" has the figures).
//
// A transaction takes the store's write lock first (a transaction-scoped advisory lock): writers
// of all processes are serialised exactly as SQLite's BEGIN IMMEDIATE serialises them, so the
// read-then-write transactions of the repos mean the same on both stores.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { workerUrl } from '../../worker-url.ts';
import type { StoreDb, StoreRunResult, StoreStatement, StoreTransaction } from '../store-db.ts';
import { markShared } from '../store-db.ts';
import type { BridgeAnswer, BridgeInit, BridgeRequest } from './pg-bridge-protocol.ts';
import { bindValues, toPgParams, type PgStatementText } from './sql-params.ts';

/** pg_advisory_xact_lock's key for the store's write lock ("EMWL"). */
export const WRITE_LOCK = 0x45_4d_57_4c;

export class PgStoreError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string, detail?: string) {
    super(detail ? `${message} (${detail})` : message);
    this.name = 'PgStoreError';
    this.code = code;
  }
}

export interface PgStoreOptions {
  /** Each statement's limit on the server (statement_timeout), ms. Default 30 s. */
  readonly statementTimeoutMs?: number;
  /** Tests: the worker's entry file. */
  readonly workerFile?: URL;
}

export interface PgStore extends StoreDb {
  /** Migrates the database (advisory-locked, pg-migrate.ts); returns the schema it is at. */
  migrate(): { from: number; to: number };
}

export function openPgStore(connectionString: string, options: PgStoreOptions = {}): PgStore {
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  const waitMs = statementTimeoutMs + 15_000;
  const flagBuffer = new SharedArrayBuffer(4);
  const flag = new Int32Array(flagBuffer);
  const { port1, port2 } = new MessageChannel();
  const init: BridgeInit = { connectionString, flag: flagBuffer, port: port2, statementTimeoutMs };
  const worker = new Worker(options.workerFile ?? workerUrl('pg-bridge-worker', import.meta.url), {
    workerData: init,
    transferList: [port2],
  });
  // The worker lives as long as the store; it must not keep a finished process alive.
  worker.unref();
  port1.unref();
  let workerError: Error | null = null;
  worker.on('error', (err) => (workerError = err));
  let open = true;
  let depth = 0;
  let broken: Error | null = null;

  function call(req: BridgeRequest): Extract<BridgeAnswer, { ok: true }> {
    if (!open) throw new PgStoreError('The store is closed.');
    if (broken) throw broken;
    Atomics.store(flag, 0, 0);
    port1.postMessage(req);
    const waited = Atomics.wait(flag, 0, 0, waitMs);
    const got = receiveMessageOnPort(port1) as { message: BridgeAnswer } | undefined;
    if (waited === 'timed-out' || !got) {
      // The bridge no longer knows which answer belongs to which request: stop using it.
      broken = new PgStoreError(
        workerError
          ? `The PostgreSQL bridge stopped: ${workerError.message}`
          : `PostgreSQL did not answer within ${Math.round(waitMs / 1000)} s.`,
        'STORE_UNAVAILABLE',
      );
      throw broken;
    }
    const a = got.message;
    if (!a.ok) throw new PgStoreError(a.error.message, a.error.code, a.error.detail);
    return a;
  }

  const texts = new Map<string, PgStatementText>();
  const textOf = (sql: string): PgStatementText => {
    let t = texts.get(sql);
    if (!t) {
      t = toPgParams(sql);
      texts.set(sql, t);
    }
    return t;
  };

  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- as better-sqlite3 types it
  function statement<P extends unknown[] | {} = unknown[], R = unknown>(
    sql: string,
  ): StoreStatement<P, R> {
    const text = textOf(sql);
    let plucking = false;
    const query = (args: unknown[]) =>
      call({
        op: 'query',
        text: text.text,
        values: bindValues(text, args),
        tx: depth > 0 ? 'in' : 'none',
      });
    const shape = (a: Extract<BridgeAnswer, { ok: true }>): unknown[] => {
      if (!plucking) return a.rows as unknown[];
      const first = a.fields[0];
      return first === undefined ? [] : a.rows.map((r) => r[first]);
    };
    const stmt: StoreStatement<P, R> = {
      run(...args: unknown[]): StoreRunResult {
        const a = query(args);
        return { changes: a.rowCount, lastInsertRowid: 0 };
      },
      get: (...args: unknown[]) => shape(query(args))[0] as R | undefined,
      all: (...args: unknown[]) => shape(query(args)) as R[],
      iterate: (...args: unknown[]) => (shape(query(args)) as R[])[Symbol.iterator](),
      pluck(toggle = true) {
        plucking = toggle;
        return this;
      },
    };
    return stmt;
  }

  let savepoints = 0;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as better-sqlite3 declares it
  function transaction<F extends (...args: any[]) => unknown>(fn: F): StoreTransaction<F> {
    const wrapped = ((...args: Parameters<F>) => {
      if (depth > 0) {
        const name = `sp${++savepoints}`;
        call({ op: 'script', text: `SAVEPOINT ${name}`, tx: 'in' });
        depth++;
        try {
          const out = fn(...args);
          call({ op: 'script', text: `RELEASE SAVEPOINT ${name}`, tx: 'in' });
          return out;
        } catch (err) {
          call({
            op: 'script',
            text: `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`,
            tx: 'in',
          });
          throw err;
        } finally {
          depth--;
        }
      }
      call({
        op: 'script',
        text: `BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`,
        tx: 'begin',
      });
      depth = 1;
      try {
        const out = fn(...args);
        call({ op: 'script', text: 'COMMIT', tx: 'commit' });
        return out;
      } catch (err) {
        try {
          if (!broken) call({ op: 'script', text: 'ROLLBACK', tx: 'rollback' });
        } catch {
          // The transaction is gone with its connection; the first error is the one to report.
        }
        throw err;
      } finally {
        depth = 0;
      }
    }) as F;
    return Object.assign(wrapped, { immediate: wrapped }) as unknown as StoreTransaction<F>;
  }

  const db: PgStore = {
    get open() {
      return open;
    },
    get inTransaction() {
      return depth > 0;
    },
    prepare: statement,
    exec(sql: string) {
      call({ op: 'script', text: sql, tx: depth > 0 ? 'in' : 'none' });
      return db;
    },
    transaction,
    migrate() {
      const a = call({ op: 'migrate' });
      return JSON.parse(a.note ?? '{}') as { from: number; to: number };
    },
    close() {
      if (!open) return;
      try {
        if (!broken) call({ op: 'close' });
      } finally {
        open = false;
        port1.close();
        void worker.terminate();
      }
    },
  };
  markShared(db);
  return db;
}
