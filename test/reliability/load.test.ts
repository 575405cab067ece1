// Load against the real `serve`: 500 concurrent creates while exports run (no 5xx, no SQLITE_BUSY,
// every accepted export completes), then autocannon on one export for a minute with memory
// sampled from outside: no errors and no growth between the first and the last 10 seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Export } from '../../shared/schemas/exports.ts';
import { recordFigures } from './figures.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const SECONDS = Number(process.env.RELIABILITY_LOAD_SECONDS ?? 60);
let root: string;
let srv: ServeProcess;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'em-load-'));
  srv = await startServe(join(root, 'data'), ['--demo-rows', '2000']);
});
afterAll(async () => {
  await srv?.stop();
  rmSync(root, { recursive: true, force: true });
});

const rssMb = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${srv.child.pid}/status`, 'utf8'))![1]) / 1024;

describe('under load', () => {
  it('500 concurrent creates while exports run: no 5xx, no SQLITE_BUSY, all complete', async () => {
    // Some exports already running when the burst arrives.
    for (let i = 0; i < 4; i++)
      await srv.api('POST', '/v1/exports', { dataset: 'leads', name: `warm ${i}` });
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        fetch(`${srv.base}/v1/exports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${srv.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            dataset: 'leads',
            name: `burst ${i}`,
            format: i % 2 ? 'csv' : 'jsonl',
          }),
        }).then(async (r) => ({ status: r.status, body: await r.text() })),
      ),
    );
    const burstMs = Date.now() - started;
    const statuses: Record<number, number> = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(answers.some((a) => /SQLITE_BUSY|database is locked/i.test(a.body))).toBe(false);
    const accepted = answers
      .filter((a) => a.status === 202)
      .map((a) => (JSON.parse(a.body) as { data: Export }).data.id);
    // Rate limiting may answer 429 with the envelope; everything else must have been accepted.
    expect(accepted.length + (statuses[429] ?? 0)).toBe(500);

    const deadline = Date.now() + 240_000;
    const pending = new Set(accepted);
    while (pending.size > 0 && Date.now() < deadline) {
      for (const id of [...pending]) {
        const { json } = await srv.api<{ data: Export }>('GET', `/v1/exports/${id}`);
        if (json.data.status === 'completed') pending.delete(id);
        else
          expect(['pending', 'processing'], JSON.stringify(json.data.error)).toContain(
            json.data.status,
          );
      }
      if (pending.size) await new Promise((r) => setTimeout(r, 500));
    }
    expect(pending.size).toBe(0);
    expect(srv.output()).not.toMatch(/SQLITE_BUSY|database is locked/);
    recordFigures('load_burst', {
      concurrent_creates: 500,
      accepted: accepted.length,
      statuses,
      burst_ms: burstMs,
      all_completed_ms: Date.now() - started,
    });
  }, 300_000);

  it(`GET /v1/exports/{id} under autocannon for ${SECONDS} s: no errors, no memory growth`, async () => {
    const { json } = await srv.api<{ data: Export }>('POST', '/v1/exports', {
      dataset: 'leads',
      name: 'hot',
    });
    const id = json.data.id;
    const samples: { t: number; rss: number }[] = [];
    const t0 = Date.now();
    const sampler = setInterval(
      () => samples.push({ t: (Date.now() - t0) / 1000, rss: rssMb() }),
      1000,
    );
    const result = await autocannon({
      url: `${srv.base}/v1/exports/${id}`,
      connections: 50,
      duration: SECONDS,
      headers: { authorization: `Bearer ${srv.key}` },
    });
    clearInterval(sampler);
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    const window = Math.min(10, Math.floor(SECONDS / 3));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(samples.filter((s) => s.t > 1 && s.t <= 1 + window).map((s) => s.rss));
    const last = mean(samples.filter((s) => s.t > SECONDS - window).map((s) => s.rss));
    recordFigures('load_get', {
      seconds: SECONDS,
      requests: result.requests.total,
      req_per_s: Math.round(result.requests.average),
      p99_ms: result.latency.p99,
      errors: result.errors,
      rss_first_window_mb: Math.round(first),
      rss_last_window_mb: Math.round(last),
    });
    expect(last).toBeLessThan(first * 1.2 + 15);
  }, 300_000);
});
