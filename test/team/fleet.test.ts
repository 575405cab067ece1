// Two engine processes on one PostgreSQL store and one radosgw bucket, as a team runs them: 200
// vendor exports created through both, one engine killed with SIGKILL while exports run; every
// export completes exactly once, its file verifies from the bucket, the vendor saw no duplicate
// create; bucket links work with curl and expire; a schedule fires once per tick with both up.
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startVendorFake, type VendorFake } from '../fixtures/vendors/vendor-fake.ts';
import { createDatabase, startEngine, type FleetEngine, type FleetTarget } from './fleet.ts';
import { skipNotice, startPostgres, startS3 } from './servers.ts';

const exec = promisify(execFile);
const [pgStarted, s3Started] = await Promise.all([startPostgres(), startS3()]);
for (const [what, s] of [
  ['PostgreSQL', pgStarted],
  ['S3 (radosgw)', s3Started],
] as const)
  if (!s.ok) console.warn(skipNotice(what, s.skipReason));
const ready = pgStarted.ok && s3Started.ok;
const s3env = s3Started.ok ? s3Started.server.env : {};
const admin = new S3Client({
  endpoint: s3env.S3_ENDPOINT ?? 'http://127.0.0.1:1',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: {
    accessKeyId: s3env.S3_ACCESS_KEY ?? '',
    secretAccessKey: s3env.S3_SECRET_KEY ?? '',
  },
});

const engines: FleetEngine[] = [];
let fake: VendorFake | undefined;
afterAll(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  await fake?.stop();
  admin.destroy();
  if (pgStarted.ok) await pgStarted.server.stop();
  if (s3Started.ok) await s3Started.server.stop();
}, 120_000);

async function target(name: string): Promise<FleetTarget> {
  if (!pgStarted.ok || !s3Started.ok) throw new Error('servers missing');
  await admin.send(new CreateBucketCommand({ Bucket: name }));
  return {
    store: await createDatabase(pgStarted.server.env.PG_URL!, name),
    storage: `s3://${name}/team?endpoint=${encodeURIComponent(s3env.S3_ENDPOINT!)}&region=us-east-1`,
    awsAccessKeyId: s3env.S3_ACCESS_KEY!,
    awsSecretAccessKey: s3env.S3_SECRET_KEY!,
    args: ['--url-ttl', '30'],
  };
}

// The API's answers, read loosely: the test checks the fields it uses.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

async function json(res: Response) {
  const body = (await res.json()) as { data: Loose; meta?: unknown; error?: unknown };
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body.error)}`);
  return body;
}

/** The vendor fake as a DataDriver provider of the team (through `engine`); its id. */
async function addProvider(
  engine: FleetEngine,
  vendor: VendorFake,
  extra: { name: string } & Record<string, unknown>,
): Promise<string> {
  const body = { type: 'datadriver', base_url: vendor.url, credential: 'tok', ...extra };
  const res = await engine.api('/v1/providers', { method: 'POST', body: JSON.stringify(body) });
  return (await json(res)).data.id as string;
}

function fail(e: Error, engine: FleetEngine): never {
  throw new Error(`${e.message}\n${engine.name} logged:\n${engine.output().slice(-4000)}`);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!ready)('a team: two engines, one PostgreSQL, one bucket', () => {
  it('200 exports through both, one engine killed mid-export: each completes once, verified, one vendor create each', async () => {
    const t = await target('fleet200');
    const a = await startEngine('a', t);
    const b = await startEngine('b', t);
    engines.push(a, b);
    fake = await startVendorFake({
      vendor: 'datadriver',
      token: 'tok',
      pollsUntilDone: 1,
      rows: 300,
    });
    const provider = await addProvider(a, fake, {
      name: 'Team DataDriver',
      requests_per_second: 1000,
      // Per engine: the vendor sees up to 16 exports of ours at once across the two.
      max_concurrent_exports: 8,
    });

    const health = (await json(await b.api('/healthz'))).data;
    expect(health.store).toEqual({ kind: 'postgres', ok: true });
    expect(health.storage).toMatchObject({ kind: 's3', ok: true });

    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const via = i % 2 === 0 ? a : b;
      const res = await via.api('/v1/exports', {
        method: 'POST',
        body: JSON.stringify({ provider, name: `leads ${i}`, params: { n: i } }),
      });
      // A failure shows what the engine logged about it.
      ids.push((await json(res).catch((e: Error) => fail(e, via))).data.id);
    }
    // SIGKILL engine a while exports run (some done, some not): no shutdown, nothing handed back.
    await vi.waitFor(
      async () => {
        const done = (await json(await b.api('/v1/exports?status=completed&limit=200'))).data
          .length;
        if (done < 20) throw new Error(`${done} completed`);
      },
      { timeout: 120_000, interval: 250 },
    );
    await a.kill();

    const final = await vi.waitFor(
      async () => {
        const rows = await Promise.all(
          ids.map(async (id) => (await json(await b.api(`/v1/exports/${id}`))).data),
        );
        const open = rows.filter((r) => !['completed', 'failed', 'canceled'].includes(r.status));
        if (open.length > 0) throw new Error(`${open.length} not final, e.g. ${open[0].status}`);
        return rows;
      },
      { timeout: 240_000, interval: 1000 },
    );
    expect(final.filter((r) => r.status !== 'completed').map((r) => [r.id, r.error])).toEqual([]);
    // Exactly once: one completion in each history, one object per export in the bucket.
    for (const r of final)
      expect(r.history.filter((h: { status: string }) => h.status === 'completed')).toHaveLength(1);
    const objects: string[] = [];
    let token: string | undefined;
    do {
      const page = await admin.send(
        new ListObjectsV2Command({ Bucket: 'fleet200', Prefix: 'team/', ContinuationToken: token }),
      );
      objects.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(new Set(objects.map((k) => k.split('/')[1])).size).toBe(200);
    expect(objects).toHaveLength(200);
    // No duplicate vendor creates: one per export, each idempotency key once.
    expect(fake.state.creates).toBe(200);
    // Every file verifies from the bucket (the engine answers 302 to a presigned bucket URL).
    for (const r of final) {
      const res = await fetch(r.download_url);
      expect(res.status, r.id).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer())), r.id).toBe(r.files[0].sha256);
    }
  }, 420_000);

  it('bucket links work with curl and expire', async () => {
    const b = engines.find((e) => e.name === 'b')!;
    const done = (await json(await b.api('/v1/exports?status=completed&limit=1'))).data[0];
    const res = await fetch(done.download_url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const bucketUrl = res.headers.get('location')!;
    expect(new URL(bucketUrl).origin).toBe(s3env.S3_ENDPOINT);
    const ok = await exec('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', bucketUrl]);
    expect(ok.stdout).toBe('200');
    // The bucket URL lives only as long as what was left of the engine link (--url-ttl 30).
    const expires = Number(new URL(done.download_url).pathname.split('/')[4]) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, expires - Date.now()) + 1500));
    const late = await exec('curl', ['-s', '-w', '\n%{http_code}', bucketUrl]);
    expect(late.stdout.split('\n').at(-1)).toBe('403');
    expect(late.stdout).toContain('AccessDenied');
  }, 60_000);

  it('a schedule fires once per tick with two engines up', async () => {
    // Each engine holds 400 ms between seeing the slot due and claiming it, so both see every
    // slot due before either has claimed it: the race the claim's re-read settles.
    const t = {
      ...(await target('fleetsched')),
      env: { EXPORT_MANAGER_PAUSE_AT: 'schedule:before-claim:400' },
    };
    const a = await startEngine('sa', t);
    const b = await startEngine('sb', t);
    engines.push(a, b);
    fake ??= await startVendorFake({ vendor: 'datadriver', token: 'tok', pollsUntilDone: 0 });
    const provider = await addProvider(b, fake, { name: 'Sched' });
    /** A schedule every 3 s of the provider's export, made through engine e. */
    const every3s = async (e: typeof a, name: string) =>
      (
        await json(
          await e.api('/v1/schedules', {
            method: 'POST',
            body: JSON.stringify({ name, request: { provider }, every_seconds: 3 }),
          }),
        )
      ).data as { id: string };
    const sch = await every3s(a, 'every 3 s');
    await new Promise((r) => setTimeout(r, 14_000));
    await json(
      await a.api(`/v1/schedules/${sch.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ enabled: false }),
      }),
    );
    const runs = (await json(await b.api(`/v1/schedules/${sch.id}/runs?limit=100`))).data as {
      number: number;
      started_at: string;
      export_id: string | null;
    }[];
    // 14 s at one run per 3 s: 4 or 5 runs, never two a tick. A run never overlaps the next slot,
    // so a run that outlasts a slot (a loaded CI machine: the provider export and its upload to
    // the bucket took over 3 s once, and 2 runs came) skips that slot rather than doubling it.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(5);
    const numbers = runs.map((r) => r.number).sort((x, y) => x - y);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    const starts = runs.map((r) => Date.parse(r.started_at)).sort((x, y) => x - y);
    for (let i = 1; i < starts.length; i++)
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThan(2000);
    const exportIds = runs.map((r) => r.export_id).filter(Boolean);
    expect(new Set(exportIds).size).toBe(exportIds.length);
    // The losing engine leaves a taken slot quietly: without the re-read under the write lock its
    // claim of the same run number fails on the unique key, which the runs above would not show.
    for (const e of [a, b])
      expect(e.output(), `${e.name} logged a failed claim`).not.toMatch(
        /background work failed|duplicate key|UNIQUE constraint/,
      );

    // A schedule made on one engine, which then stops before its first slot: the other engine has
    // heard nothing of it (no event reaches its timer, none of its exports ran there) and finds it
    // only by looking at the shared store, which it does every second.
    const quiet = await every3s(a, 'made on a');
    await a.stop();
    await new Promise((r) => setTimeout(r, 8_000));
    const later = (await json(await b.api(`/v1/schedules/${quiet.id}/runs?limit=100`))).data as {
      number: number;
    }[];
    expect(later.length).toBeGreaterThanOrEqual(1);
    const all = later.map((r) => r.number).sort((x, y) => x - y);
    expect(all).toEqual(all.map((_, i) => i + 1));
  }, 90_000);
});
