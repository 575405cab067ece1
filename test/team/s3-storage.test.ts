// Export files in a real S3 store (radosgw started by test/team/start-s3.sh): an export lands in the
// bucket (multipart when large), its link leads to a real presigned S3 URL that curl downloads
// byte for byte, by ranges too; the link expires; retention, cancel and failure remove the objects.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createS3Storage } from '../../electron/engine/storage/s3-storage.ts';
import { createExport, waitFinal } from '../helpers/exports.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { skipNotice, startS3 } from './servers.ts';

const exec = promisify(execFile);
const started = await startS3();
if (!started.ok) console.warn(skipNotice('S3 (radosgw)', started.skipReason));
const env = started.ok ? started.server.env : {};
const credentials = {
  accessKeyId: env.S3_ACCESS_KEY ?? '',
  secretAccessKey: env.S3_SECRET_KEY ?? '',
};
const admin = new S3Client({
  endpoint: env.S3_ENDPOINT ?? 'http://127.0.0.1:1',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials,
});
const BUCKET = 'exports';
if (started.ok) await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});
afterAll(async () => {
  admin.destroy();
  if (started.ok) await started.server.stop();
}, 60_000);

function storage(bucket = BUCKET) {
  return createS3Storage({
    bucket,
    prefix: 'team/',
    endpoint: env.S3_ENDPOINT!,
    region: 'us-east-1',
    pathStyle: true,
    credentials,
    partBytes: 5 * 1024 * 1024,
  });
}

async function keys(id: string): Promise<string[]> {
  const out = await admin.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `team/${id}/` }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

/** The bucket's own presigned URL behind an engine link (the engine answers 302). */
async function bucketLink(url: string, method = 'GET'): Promise<string> {
  const u = new URL(url);
  const res = await s!.call({ method: method as 'GET', url: u.pathname + u.search, key: null });
  expect(res.statusCode).toBe(302);
  expect(res.headers['cache-control']).toBe('no-store');
  return String(res.headers.location);
}

async function curl(url: string, ...args: string[]): Promise<{ status: number; body: Buffer }> {
  const { stdout } = await exec('curl', ['-s', '-o', '-', '-w', '\n%{http_code}', ...args, url], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
  });
  const cut = stdout.lastIndexOf(0x0a);
  return { status: Number(stdout.subarray(cut + 1).toString()), body: stdout.subarray(0, cut) };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!started.ok)('export files in S3 (radosgw)', () => {
  it('stores a .gz as application/gzip without Content-Encoding; curl gets it whole and by exact ranges', async () => {
    const clock = new FakeClock(Date.now());
    s = await makeServer({ clock, demoRows: 3000, storage: storage() });
    const created = await createExport(s, {
      dataset: 'leads',
      format: 'csv',
      compression: 'gzip',
      name: 'in the bucket',
    });
    const exp = await waitFinal(s, created.json().data.id);
    expect(exp.status).toBe('completed');
    const file = exp.files[0]!;
    // Nothing stays in the staging folder: the bucket is the only copy.
    const dir = join(s.dataDir, 'files', exp.id);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect(await keys(exp.id)).toEqual([`team/${exp.id}/${file.filename}`]);
    const head = await admin.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: `team/${exp.id}/${file.filename}` }),
    );
    expect(head.ContentType).toBe('application/gzip');
    expect(head.ContentEncoding).toBeUndefined();
    expect(head.ContentLength).toBe(file.byte_size);

    const link = await bucketLink(exp.download_url!);
    expect(new URL(link).origin).toBe(env.S3_ENDPOINT);
    expect(link).toContain('X-Amz-Signature=');
    const whole = await curl(link);
    expect(whole.status).toBe(200);
    expect(whole.body.length).toBe(file.byte_size);
    expect(sha256(whole.body)).toBe(file.sha256);
    // A resumed download: the first part, then the rest by Range, glued, is the same file.
    const cut = Math.floor(file.byte_size / 3);
    const first = await curl(link, '-r', `0-${cut - 1}`);
    const rest = await curl(link, '-r', `${cut}-`);
    expect([first.status, rest.status]).toEqual([206, 206]);
    expect(Buffer.concat([first.body, rest.body]).equals(whole.body)).toBe(true);
    const middle = await curl(link, '-r', '100-199');
    expect(middle.body.equals(whole.body.subarray(100, 200))).toBe(true);
    // "Save as" fetches the file from the bucket, decompresses it, and leaves no temporary copy.
    const saveDir = join(s.dataDir, 'saved');
    mkdirSync(saveDir);
    const saved = await s.engine.exports.saveCopy(exp.id, { dir: saveDir, decompress: true });
    expect(readFileSync(saved.path).equals(gunzipSync(whole.body))).toBe(true);
    expect(readdirSync(join(s.dataDir, 'tmp'))).toEqual([]);
    // The engine's /download answers with the same kind of link.
    const dl = await s.call({ url: `/v1/exports/${exp.id}/download` });
    expect([302, 303, 307]).toContain(dl.statusCode);
  });

  it('uploads a large file in parts, and the bucket link dies when the engine link does', async () => {
    // Real time (the bucket signs on the engine's clock and checks on its own), moved by hand.
    const clock = FakeClock.realTimers();
    s = await makeServer({ clock, demoRows: 60_000, urlTtlSeconds: 2, storage: storage() });
    const exp = await waitFinal(
      s,
      (await createExport(s, { dataset: 'leads', format: 'csv', compression: 'none' })).json().data
        .id,
      60_000,
    );
    expect(exp.status).toBe('completed');
    const file = exp.files[0]!;
    expect(file.byte_size).toBeGreaterThan(5 * 1024 * 1024);
    const head = await admin.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: `team/${exp.id}/${file.filename}` }),
    );
    // An S3 multipart object's ETag is "<md5 of the parts' md5s>-<part count>".
    expect(head.ETag).toMatch(/-[2-9]"$/);
    const link = await bucketLink(exp.download_url!);
    const got = await curl(link);
    expect(sha256(got.body)).toBe(file.sha256);
    // The engine link had 2 s; the bucket's link was cut to what was left of them.
    expect(Number(new URL(link).searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(2);
    // The bucket signs on the engine's clock: with the engine 10 s behind the bucket, a fresh
    // engine link (2 s) leads to a bucket link already past its end, which the bucket refuses.
    clock.jumpWall(-10_000);
    const reread = (await s.call({ url: `/v1/exports/${exp.id}` })).json().data;
    const late = await curl(await bucketLink(reread.download_url));
    expect(late.status).toBe(403);
    expect(late.body.toString()).toContain('AccessDenied');
    clock.jumpWall(10_000);
    clock.advance(3000);
    const u = new URL(exp.download_url!);
    const engineLate = await s.call({ url: u.pathname + u.search, key: null });
    expect(engineLate.json().error.code).toBe('SIGNATURE_EXPIRED');
  });

  it('retention and delete remove the objects; HEAD gets a HEAD link', async () => {
    const clock = new FakeClock(Date.now());
    s = await makeServer({ clock, demoRows: 500, retentionSeconds: 3600, storage: storage() });
    const a = await waitFinal(s, (await createExport(s, { dataset: 'leads' })).json().data.id);
    const b = await waitFinal(s, (await createExport(s, { dataset: 'leads' })).json().data.id);
    expect((await keys(a.id)).length).toBe(1);
    const headLink = await bucketLink(a.download_url!, 'HEAD');
    const head = await exec('curl', [
      '-s',
      '-I',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      headLink,
    ]);
    expect(head.stdout).toBe('200');

    expect((await s.call({ method: 'DELETE', url: `/v1/exports/${b.id}` })).statusCode).toBe(204);
    clock.advance(3601_000);
    expect((await s.call({ url: `/v1/exports/${a.id}` })).json().data.status).toBe('expired');
    await s.engine.close(); // waits for the removals it started
    expect(await keys(a.id)).toEqual([]);
    expect(await keys(b.id)).toEqual([]);
  });

  it('fails an export with the reason when the bucket cannot take its file, keeping nothing', async () => {
    s = await makeServer({ demoRows: 200, storage: storage('no-such-bucket') });
    const exp = await waitFinal(s, (await createExport(s, { dataset: 'leads' })).json().data.id);
    expect(exp.status).toBe('failed');
    expect(exp.error?.message).toMatch(/Could not store the file in s3:\/\/no-such-bucket\/team\//);
    expect(existsSync(join(s.dataDir, 'files', exp.id))).toBe(false);
    const health = await s.call({ url: '/healthz', key: null });
    expect(health.json().data.storage).toMatchObject({ kind: 's3', ok: false });
    expect(health.json().data.storage.message).toContain('no-such-bucket');
  });
});
