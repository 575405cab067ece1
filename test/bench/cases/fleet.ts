// fleet_exports_per_min: does the work spread over a team's engines? Vendor exports (the fake
// vendor answers at once with a gzip file of FILE_ROWS rows: download, verify, decompress check
// and upload to the bucket are the work) through one engine process, then through two on the same
// PostgreSQL store and bucket, alternately; the row is exports per minute of each and their ratio.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startVendorFake } from '../../fixtures/vendors/vendor-fake.ts';
import {
  createDatabase,
  startEngine,
  type FleetEngine,
  type FleetTarget,
} from '../../team/fleet.ts';
import { startPostgres, startS3 } from '../../team/servers.ts';
import type { BenchContext, ResultRow } from '../context.ts';
import { median } from '../measure.ts';

const EXPORTS = 60;
const FILE_ROWS = 20_000;
/** Two engines on two cores should do at least this many times the work of one. */
const TARGET_RATIO = 1.4;

async function round(engines: FleetEngine[], provider: string, tag: string): Promise<number> {
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < EXPORTS; i++) {
    const res = await engines[i % engines.length]!.api('/v1/exports', {
      method: 'POST',
      body: JSON.stringify({ provider, name: `${tag} ${i}`, params: { i } }),
    });
    if (res.status !== 202) throw new Error(`create: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { data: { id: string } }).data.id);
  }
  const pending = new Set(ids);
  while (pending.size > 0) {
    const res = await engines[0]!.api('/v1/exports?status=completed,failed&limit=200');
    const body = (await res.json()) as { data: { id: string; status: string }[] };
    for (const e of body.data) {
      if (!pending.has(e.id)) continue;
      if (e.status !== 'completed') throw new Error(`export ${e.id} ended ${e.status}`);
      pending.delete(e.id);
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 100));
  }
  const perMin = EXPORTS / ((performance.now() - t0) / 60_000);
  for (const id of ids) await engines[0]!.api(`/v1/exports/${id}`, { method: 'DELETE' });
  return perMin;
}

export async function fleetCase(ctx: BenchContext): Promise<ResultRow | null> {
  const [pg, s3] = await Promise.all([startPostgres(), startS3()]);
  if (!pg.ok || !s3.ok) {
    ctx.log(`  skipped: ${!pg.ok ? pg.skipReason : ''} ${!s3.ok ? s3.skipReason : ''}`);
    if (pg.ok) await pg.server.stop();
    if (s3.ok) await s3.server.stop();
    return null;
  }
  const e = s3.server.env;
  const admin = new S3Client({
    endpoint: e.S3_ENDPOINT!,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: e.S3_ACCESS_KEY!, secretAccessKey: e.S3_SECRET_KEY! },
  });
  await admin.send(new CreateBucketCommand({ Bucket: 'bench' }));
  admin.destroy();
  const target: FleetTarget = {
    store: await createDatabase(pg.server.env.PG_URL!, 'bench'),
    storage: `s3://bench/fleet?endpoint=${encodeURIComponent(e.S3_ENDPOINT!)}&region=us-east-1`,
    awsAccessKeyId: e.S3_ACCESS_KEY!,
    awsSecretAccessKey: e.S3_SECRET_KEY!,
  };
  const fake = await startVendorFake({
    vendor: 'datadriver',
    token: 'bench',
    pollsUntilDone: 0,
    rows: FILE_ROWS,
    sameData: true,
  });
  const first = await startEngine('one', target);
  let second: FleetEngine | null = null;
  try {
    const res = await first.api('/v1/providers', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Bench vendor',
        type: 'datadriver',
        base_url: fake.url,
        credential: 'bench',
        requests_per_second: 1000,
        max_concurrent_exports: 16,
      }),
    });
    if (res.status !== 201) throw new Error(`provider: ${res.status} ${await res.text()}`);
    const provider = ((await res.json()) as { data: { id: string } }).data.id;
    // The second engine runs only for the two-engine rounds (started and stopped outside the
    // timed part), so it cannot take a share of the one-engine work.
    const one: number[] = [];
    const two: number[] = [];
    for (let i = -ctx.opts.warmup; i < ctx.opts.runs; i++) {
      const a = await round([first], provider, `one ${i}`);
      second = await startEngine('two', target);
      const b = await round([first, second], provider, `two ${i}`);
      await second.stop();
      second = null;
      ctx.log(
        `  ${i < 0 ? 'warm-up' : `run ${i + 1}/${ctx.opts.runs}`}: one engine ${a.toFixed(0)}/min, two ${b.toFixed(0)}/min`,
      );
      if (i >= 0) {
        one.push(a);
        two.push(b);
      }
    }
    const m1 = median(one);
    const m2 = median(two);
    const ratio = m2 / m1;
    return {
      name: 'fleet_exports_per_min',
      ours_s: null,
      baseline_s: null,
      ratio: Math.round(ratio * 100) / 100,
      peak_rss_mb: null,
      target: `two engines >= ${TARGET_RATIO}x one`,
      pass: ratio >= TARGET_RATIO,
      runs: one.length,
      note: `one engine ${m1.toFixed(0)} exports/min, two ${m2.toFixed(0)}/min (${EXPORTS} vendor exports of ${FILE_ROWS.toLocaleString('en-US')} rows per run, PostgreSQL + radosgw)`,
    };
  } finally {
    await Promise.all([first.stop(), second?.stop()]);
    await fake.stop();
    await pg.server.stop();
    await s3.server.stop();
  }
}
