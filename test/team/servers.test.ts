// The project's own scripts start real servers on this machine: radosgw answers S3 with the keys it
// printed, PostgreSQL answers SQL; both stop cleanly and leave nothing running.
import { existsSync } from 'node:fs';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { skipNotice, startPostgres, startS3 } from './servers.ts';

const s3 = await startS3();
const postgres = await startPostgres();
if (!s3.ok) console.warn(skipNotice('S3 (radosgw)', s3.skipReason));
if (!postgres.ok) console.warn(skipNotice('PostgreSQL', postgres.skipReason));

afterAll(async () => {
  if (s3.ok) await s3.server.stop();
  if (postgres.ok) await postgres.server.stop();
}, 60_000);

describe.skipIf(!s3.ok)('start-s3.sh', () => {
  it('starts radosgw that stores and returns an object byte for byte, and stops it', async () => {
    if (!s3.ok) return;
    const { env } = s3.server;
    console.info(`radosgw started in ${Math.round(s3.server.startMs)} ms`);
    const client = new S3Client({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: env.S3_ACCESS_KEY!, secretAccessKey: env.S3_SECRET_KEY! },
    });
    await client.send(new CreateBucketCommand({ Bucket: 'smoke' }));
    const body = Buffer.from([0, 1, 2, 255, 0x1f, 0x8b, 10, 13]);
    await client.send(new PutObjectCommand({ Bucket: 'smoke', Key: 'a/b.bin', Body: body }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'smoke', Key: 'a/b.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    client.destroy();
  });
});

describe.skipIf(!postgres.ok)('start-postgres.sh', () => {
  it('starts a PostgreSQL 15 that answers on TCP and on its socket, and stops it', async () => {
    if (!postgres.ok) return;
    const { env } = postgres.server;
    console.info(`PostgreSQL started in ${Math.round(postgres.server.startMs)} ms`);
    const tcp = new pg.Client({ connectionString: env.PG_URL });
    await tcp.connect();
    const { rows } = await tcp.query<{ server_version: string }>('show server_version');
    expect(rows[0]!.server_version).toMatch(/^15\./);
    await tcp.end();
    const socket = new pg.Client({
      host: env.PG_SOCKET_DIR,
      port: Number(env.PG_PORT),
      user: 'postgres',
    });
    await socket.connect();
    expect((await socket.query('select 1 + 1 as two')).rows[0]).toEqual({ two: 2 });
    await socket.end();
    await postgres.server.stop();
    expect(existsSync(env.PG_DIR!)).toBe(false);
  });
});
