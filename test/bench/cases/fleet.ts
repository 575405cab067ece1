// Does the work spread over a team's engines? Vendor exports through one engine process, then
// through two on the same PostgreSQL store and bucket, alternately; each row is exports per minute
// of each and their ratio. Two workloads:
// - fleet_exports_per_min: what a team's engines mostly do. The vendor takes its time (the export
//   is ready at the engine's first poll, 2 s after the create) and its bucket serves 2 MB/s per
//   download; an engine runs at most REMOTE_CONCURRENCY vendor exports at once, so a second engine
//   doubles what is in flight. Target: two engines do >= 1.4x the work of one.
// - fleet_cpu_bound_exports_per_min: a vendor that answers at once with a local file, so download,
//   verify, decompress check and upload are all the work and both engines, PostgreSQL, radosgw and
//   the vendor share this machine's cores. One engine already keeps them busy; the target is that
//   a second engine costs little (>= 0.85x), not that it adds cores the machine does not have.
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
import { REMOTE_CONCURRENCY } from '../../../electron/engine/exports/runner.ts';

const FILE_ROWS = 20_000;

interface Workload {
  readonly name: string;
  readonly exports: number;
  /** Two engines should do at least this many times the work of one. */
  readonly target: number;
  readonly vendor: { readonly pollsUntilDone: number; readonly bytesPerSecond?: number };
  readonly what: string;
}

const WORKLOADS: readonly Workload[] = [
  {
    name: 'fleet_exports_per_min',
    exports: 96,
    target: 1.4,
    vendor: { pollsUntilDone: 1, bytesPerSecond: 2_000_000 },
    what: 'a vendor ready at the first poll (2 s), its bucket at 2 MB/s',
  },
  {
    name: 'fleet_cpu_bound_exports_per_min',
    exports: 60,
    target: 0.85,
    vendor: { pollsUntilDone: 0 },
    what: 'a vendor answering at once from this machine: CPU-bound',
  },
];

async function round(
  engines: FleetEngine[],
  provider: string,
  tag: string,
  count: number,
): Promise<number> {
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
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
  const perMin = count / ((performance.now() - t0) / 60_000);
  for (const id of ids) await engines[0]!.api(`/v1/exports/${id}`, { method: 'DELETE' });
  return perMin;
}

export async function fleetCases(
  ctx: BenchContext,
  wants: (name: string) => boolean,
): Promise<ResultRow[]> {
  const [pg, s3] = await Promise.all([startPostgres(), startS3()]);
  if (!pg.ok || !s3.ok) {
    ctx.log(`  skipped: ${!pg.ok ? pg.skipReason : ''} ${!s3.ok ? s3.skipReason : ''}`);
    if (pg.ok) await pg.server.stop();
    if (s3.ok) await s3.server.stop();
    return [];
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
  const first = await startEngine('one', target);
  try {
    const rows: ResultRow[] = [];
    for (const w of WORKLOADS.filter((x) => wants(x.name)))
      rows.push(await workloadRow(ctx, w, target, first));
    return rows;
  } finally {
    await first.stop();
    await pg.server.stop();
    await s3.server.stop();
  }
}

async function workloadRow(
  ctx: BenchContext,
  w: Workload,
  target: FleetTarget,
  first: FleetEngine,
): Promise<ResultRow> {
  ctx.log(`  ${w.name}: ${w.what}`);
  const fake = await startVendorFake({
    vendor: 'datadriver',
    token: 'bench',
    rows: FILE_ROWS,
    sameData: true,
    ...w.vendor,
  });
  let second: FleetEngine | null = null;
  try {
    const res = await first.api('/v1/providers', {
      method: 'POST',
      body: JSON.stringify({
        name: `Bench vendor ${w.name}`,
        type: 'datadriver',
        base_url: fake.url,
        credential: 'bench',
        requests_per_second: 1000,
        // Above what two engines run at once: the engines' own limit is what is measured.
        max_concurrent_exports: 4 * REMOTE_CONCURRENCY,
      }),
    });
    if (res.status !== 201) throw new Error(`provider: ${res.status} ${await res.text()}`);
    const provider = ((await res.json()) as { data: { id: string } }).data.id;
    // The second engine runs only for the two-engine rounds (started and stopped outside the
    // timed part), so it cannot take a share of the one-engine work.
    const one: number[] = [];
    const two: number[] = [];
    for (let i = -ctx.opts.warmup; i < ctx.opts.runs; i++) {
      const a = await round([first], provider, `one ${i}`, w.exports);
      second = await startEngine('two', target);
      const b = await round([first, second], provider, `two ${i}`, w.exports);
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
      name: w.name,
      ours_s: null,
      baseline_s: null,
      ratio: Math.round(ratio * 100) / 100,
      peak_rss_mb: null,
      target: `two engines >= ${w.target}x one`,
      pass: ratio >= w.target,
      runs: one.length,
      note: `one engine ${m1.toFixed(0)} exports/min, two ${m2.toFixed(0)}/min (${w.exports} vendor exports of ${FILE_ROWS.toLocaleString('en-US')} rows per run, ${w.what}; PostgreSQL + radosgw)`,
    };
  } finally {
    await second?.stop();
    await fake.stop();
  }
}
