// list_exports_page: GET /v1/exports (first page, the list screen's first request) with the store
// holding LIST_EXPORTS exports. The exports are copies of one finished export written straight into
// the stopped server's database (creating 100,000 through the API would take the whole bench).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BenchContext, ResultRow } from '../context.ts';
import { median } from '../measure.ts';
import type { Serve } from '../serve.ts';

export const LIST_EXPORTS = 100_000;
const P99_MS = 20;
const REQUESTS = 400;

/** Copies the newest export of the (stopped) server's store until it holds `n` exports. */
export function seedExports(dataDir: string, n: number): number {
  const db = new Database(join(dataDir, 'export-manager.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    const have = (db.prepare('SELECT count(*) AS n FROM exports').get() as { n: number }).n;
    const template = db.prepare('SELECT * FROM exports ORDER BY created_at DESC LIMIT 1').get() as
      Record<string, unknown> | undefined;
    if (!template) throw new Error('list_exports_page: no export to copy');
    const cols = Object.keys(template);
    const insert = db.prepare(
      `INSERT INTO exports (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`,
    );
    const history = db.prepare(
      'INSERT INTO export_history (export_id, seq, status, at) VALUES (?, 1, ?, ?)',
    );
    const created = Number(template.created_at);
    db.transaction(() => {
      for (let i = have; i < n; i++) {
        const id = randomUUID();
        const at = created - (i + 1) * 1000;
        insert.run({ ...template, id, created_at: at, updated_at: at, name: `seeded ${i}` });
        history.run(id, 'pending', at);
      }
    })();
    return (db.prepare('SELECT count(*) AS n FROM exports').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function listPageCase(
  ctx: BenchContext,
  serve: Serve,
  total: number,
): Promise<ResultRow> {
  const query = '/v1/exports?limit=50';
  const times: number[] = [];
  for (let i = 0; i < 20; i++) await serve.ok('GET', query);
  // Timed to the last byte through node:http (Serve.raw); each answer is checked after.
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    const r = await serve.raw('GET', query);
    times.push(performance.now() - t0);
    const items =
      r.status === 200 ? (JSON.parse(r.body.toString()) as { data?: unknown }).data : null;
    if (!Array.isArray(items) || items.length === 0)
      throw new Error(`GET ${query} -> ${r.status} ${r.body.toString().slice(0, 200)}`);
  }
  times.sort((a, b) => a - b);
  const p99 = times[Math.floor(times.length * 0.99)]!;
  const p50 = median(times);
  ctx.log(
    `  ${REQUESTS} requests at ${total.toLocaleString('en-US')} exports: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
  );
  return {
    name: 'list_exports_page',
    ours_s: p50 / 1000,
    baseline_s: null,
    ratio: null,
    peak_rss_mb: null,
    target: `p99 <= ${P99_MS} ms at ${LIST_EXPORTS.toLocaleString('en-US')} exports`,
    pass: p99 <= P99_MS && total >= LIST_EXPORTS,
    runs: REQUESTS,
    p99_ms: Math.round(p99 * 10) / 10,
    note: `GET ${query}, first page, one request at a time (node:http, kept alive): p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
  };
}
