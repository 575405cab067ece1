// The PostgreSQL bridge's worker thread: one `pg` connection, one statement at a time, each answer
// posted and then signalled on the shared flag the store's thread waits on. The connection is
// opened on the first request and again after it breaks (the failed request reports the error).
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import type { BridgeAnswer, BridgeInit, BridgeRequest } from './pg-bridge-protocol.ts';

const init = workerData as BridgeInit;
const flag = new Int32Array(init.flag);

// BIGINT, NUMERIC (sum, avg) and the like come back as numbers, as SQLite gives them.
const NUMERIC_OIDS = new Set([20, 1700]);
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (NUMERIC_OIDS.has(oid)) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

let client: pg.Client | null = null;
/** A transaction is open on `client`. */
let txOpen = false;

async function connected(): Promise<pg.Client> {
  if (client) return client;
  const c = new pg.Client({
    connectionString: init.connectionString,
    types,
    statement_timeout: init.statementTimeoutMs,
    application_name: 'export-manager',
    connectionTimeoutMillis: 10_000,
  });
  // A connection that breaks between requests is dropped; the next request opens another.
  c.on('error', () => {
    if (client === c) {
      client = null;
      txOpen = false;
    }
  });
  await c.connect();
  client = c;
  return c;
}

async function answer(req: BridgeRequest): Promise<BridgeAnswer> {
  try {
    if (req.op === 'close') {
      const c = client;
      client = null;
      await c?.end();
      return { ok: true, rows: [], fields: [], rowCount: 0 };
    }
    if (req.op === 'migrate') {
      // Loaded when asked for: most bridges never migrate, and start quicker without it.
      const { migratePostgres } = await import('./pg-migrate.ts');
      const r = await migratePostgres(init.connectionString);
      return {
        ok: true,
        rows: [],
        fields: [],
        rowCount: 0,
        note: JSON.stringify({ from: r.from, to: r.to }),
      };
    }
    if ((req.tx === 'in' || req.tx === 'commit') && !txOpen)
      throw Object.assign(
        new Error(
          'The connection to PostgreSQL was lost inside a transaction; the transaction was rolled back.',
        ),
        { code: 'STORE_UNAVAILABLE' },
      );
    if (req.tx === 'rollback' && !txOpen) return { ok: true, rows: [], fields: [], rowCount: 0 };
    const c = await connected();
    if (req.op === 'script') {
      await c.query(req.text);
      if (req.tx === 'begin') txOpen = true;
      if (req.tx === 'commit' || req.tx === 'rollback') txOpen = false;
      return { ok: true, rows: [], fields: [], rowCount: 0 };
    }
    const r = await c.query({ text: req.text, values: req.values as unknown[] });
    return {
      ok: true,
      rows: r.rows as Record<string, unknown>[],
      fields: r.fields.map((f) => f.name),
      rowCount: r.rowCount ?? 0,
    };
  } catch (err) {
    const e = err as { message?: string; code?: string; detail?: string };
    // The connection may be unusable (network cut, server restart): the next request reconnects.
    if (client && !(typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code))) {
      const c = client;
      client = null;
      txOpen = false;
      void c.end().catch(() => {});
    }
    // A failed COMMIT ends the transaction on the server too.
    if (req.op !== 'close' && req.op !== 'migrate' && req.tx === 'commit') txOpen = false;
    return {
      ok: false,
      error: { message: e.message ?? String(err), code: e.code, detail: e.detail },
    };
  }
}

parentPort?.postMessage('ready');
init.port.on('message', (req: BridgeRequest) => {
  void answer(req).then((a) => {
    init.port.postMessage(a);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});
