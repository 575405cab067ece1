// The fleet: two `serve` processes on one PostgreSQL store and one S3 bucket (radosgw), 200
// exports created through both, `kill -9` of one mid-run. Every export completes exactly once
// (one `completed` in its history, one object in the bucket), the killed process's exports are
// finished by the other, and the survivor serves every file. Skips where PostgreSQL or radosgw
// cannot run here, and (with the reason) while `serve` does not yet run on `--store postgres://`:
// it must print a `Store: postgres://…` line at start.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/context.ts';
import { skipNotice, startPostgres, startS3 } from './servers.ts';

const root = join(import.meta.dirname, '../..');
const pgStarted = await startPostgres();
const s3Started = pgStarted.ok ? await startS3() : pgStarted;
const skip = !pgStarted.ok ? pgStarted.skipReason : !s3Started.ok ? s3Started.skipReason : null;
if (skip) console.warn(skipNotice('PostgreSQL and S3 (the fleet)', skip));
const pgUrl = pgStarted.ok ? pgStarted.server.env.PG_URL! : '';
const s3 = s3Started.ok ? s3Started.server.env : {};
const BUCKET = 'fleet';
const KEY = 'fleet-test-key-0123456789abcdef0123456789abcdef';
const EXPORTS = 200;

const procs: ChildProcess[] = [];
afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  if (s3Started.ok) await s3Started.server.stop();
  if (pgStarted.ok) await pgStarted.server.stop();
}, 60_000);

interface Serve {
  readonly child: ChildProcess;
  readonly base: string;
  output(): string;
}

/** One `serve --store postgres://… --storage s3://…` with a data folder of its own. */
async function serve(name: string): Promise<Serve> {
  const storage = `s3://${BUCKET}/fleet/?endpoint=${encodeURIComponent(s3.S3_ENDPOINT!)}&region=us-east-1`;
  const args = [join(root, 'electron/cli.ts'), 'serve', '--port', '0', '--data-dir'];
  args.push(tempDir(`em-fleet-${name}-`), '--store', pgUrl, '--storage', storage);
  args.push('--demo-rows', '20000', '--concurrency', '2', '--log-level', 'warn');
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      EXPORT_MANAGER_API_KEY: KEY,
      AWS_ACCESS_KEY_ID: s3.S3_ACCESS_KEY!,
      AWS_SECRET_ACCESS_KEY: s3.S3_SECRET_KEY!,
      // Team-queue timings for tests (pg-boss's least heartbeat is 10 s); honoured by serve when
      // it wires the queue, otherwise the defaults (30 s + a 10 s monitor) still fit the timeouts.
      EXPORT_MANAGER_QUEUE_HEARTBEAT_SECONDS: '10',
      EXPORT_MANAGER_QUEUE_MONITOR_SECONDS: '1',
    },
  });
  procs.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const base = await expect
    .poll(
      () => {
        if (child.exitCode !== null) throw new Error(`serve ${name} exited:\n${out}`);
        return /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? null;
      },
      { timeout: 60_000, interval: 100 },
    )
    .not.toBeNull()
    .then(() => /listening on (http:\/\/\S+)/.exec(out)![1]!);
  return { child, base, output: () => out };
}

async function call<T>(s: Serve, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${s.base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${KEY}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: T }).data;
}

type Counts = { total: number; by_status: Record<string, number> };

async function storeQuery<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe.skipIf(skip !== null)('the fleet: two serve processes, one PostgreSQL, one bucket', () => {
  it('200 exports through two engines, kill -9 of one: every export exactly once', async (t) => {
    const bucket = new S3Client({
      endpoint: s3.S3_ENDPOINT!,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.S3_ACCESS_KEY!, secretAccessKey: s3.S3_SECRET_KEY! },
    });
    await bucket.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const a = await serve('a');
    if (!/^Store: postgres/m.test(a.output())) {
      a.child.kill('SIGTERM');
      t.skip(
        'serve does not run on --store postgres:// yet (it printed no "Store: postgres…" line)',
      );
    }
    const b = await serve('b');

    const ids: string[] = [];
    for (let i = 0; i < EXPORTS; i++) {
      const via = i % 2 ? a : b;
      const exp = await call<{ id: string }>(via, '/v1/exports', {
        dataset: 'leads',
        name: `fleet ${i}`,
        format: 'csv',
        compression: 'gzip',
      });
      ids.push(exp.id);
    }
    // kill -9 of b while it runs exports.
    await expect
      .poll(async () => (await call<Counts>(a, '/v1/exports/counts')).by_status.completed ?? 0, {
        timeout: 120_000,
        interval: 200,
      })
      .toBeGreaterThanOrEqual(20);
    b.child.kill('SIGKILL');

    await expect
      .poll(async () => (await call<Counts>(a, '/v1/exports/counts')).by_status.completed ?? 0, {
        timeout: 300_000,
        interval: 500,
      })
      .toBe(EXPORTS);
    const counts = await call<Counts>(a, '/v1/exports/counts');
    expect(counts.total).toBe(EXPORTS);

    // Exactly once: one `completed` per export in the store's history, one object in the bucket.
    const twice = await storeQuery(
      `SELECT export_id FROM export_history WHERE status = 'completed'
       GROUP BY export_id HAVING count(*) <> 1`,
    );
    expect(twice).toEqual([]);
    const retried = await storeQuery<{ n: string }>(
      'SELECT count(*) AS n FROM exports WHERE attempts > 1',
    );
    expect(Number(retried[0]!.n)).toBeGreaterThan(0); // b's exports, finished by a
    const objects = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await bucket.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'fleet/', ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        const id = o.Key!.split('/')[1]!;
        objects.set(id, (objects.get(id) ?? 0) + 1);
      }
      token = page.NextContinuationToken;
    } while (token);
    expect([...objects.keys()].sort()).toEqual([...ids].sort());
    expect([...objects.values()].every((n) => n === 1)).toBe(true);

    // The survivor serves files it did not write: three of them, downloaded and read.
    for (const id of ids.slice(0, 3)) {
      const exp = await call<{ download_url: string; row_count: number }>(a, `/v1/exports/${id}`);
      const file = await fetch(exp.download_url);
      expect(file.status).toBe(200);
      const csv = gunzipSync(Buffer.from(await file.arrayBuffer())).toString();
      expect(csv.trimEnd().split('\n').length).toBe(exp.row_count + 1);
    }
    bucket.destroy();
    a.child.kill('SIGTERM');
  }, 600_000);
});
