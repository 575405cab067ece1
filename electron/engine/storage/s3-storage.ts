// Export files in an S3-compatible bucket: multipart upload of the verified staging files, real
// presigned links (the bytes never pass through the engine), removal by prefix. A `.gz` is stored
// as application/gzip WITHOUT Content-Encoding, so no client or proxy unzips it on the way and a
// Range or a resumed download gets the stored bytes exactly.
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isUuid } from '../ids.ts';
import type { ExportStorage } from './export-storage.ts';
import { contentTypeFor } from './files.ts';
import type { S3Location } from './storage-url.ts';

/** S3's smallest part (except the last); radosgw enforces it too. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface S3StorageOptions extends S3Location {
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size (default 8 MiB; at least 5 MiB). Smaller files go in one PUT. */
  readonly partBytes?: number;
}

export function createS3Storage(opts: S3StorageOptions): ExportStorage {
  const config: S3ClientConfig = {
    region: opts.region,
    forcePathStyle: opts.pathStyle,
    // S3-compatible stores (radosgw, MinIO...) may not know the newer trailing checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  };
  const client = new S3Client(config);
  const partSize = Math.max(MIN_PART_BYTES, opts.partBytes ?? 8 * 1024 * 1024);
  const Bucket = opts.bucket;
  const folder = (id: string) => `${opts.prefix}${id.toLowerCase()}/`;
  const key = (id: string, filename: string) => `${folder(id)}${filename}`;

  async function keysUnder(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  return {
    kind: 's3',
    location: `s3://${Bucket}/${opts.prefix}${opts.endpoint ? ` (${opts.endpoint})` : ''}`,
    async publish(id, dir, filenames) {
      for (const filename of filenames) {
        const path = `${dir}/${filename}`;
        const size = statSync(path).size;
        const upload = new Upload({
          client,
          partSize,
          queueSize: 2,
          leavePartsOnError: false,
          params: {
            Bucket,
            Key: key(id, filename),
            Body: createReadStream(path),
            ContentType: contentTypeFor(filename),
            ContentDisposition: `attachment; filename="${filename.replace(/"/g, '')}"`,
          },
        });
        await upload.done();
        // A store that says "done" but holds other bytes is caught here, not by a user's download.
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: key(id, filename) }));
        if (head.ContentLength !== size)
          throw new Error(
            `the bucket holds ${String(head.ContentLength)} bytes of ${filename}, not ${size}`,
          );
        if (head.ContentEncoding)
          throw new Error(`the bucket added Content-Encoding ${head.ContentEncoding}`);
      }
      for (const filename of filenames) rmSync(`${dir}/${filename}`, { force: true });
    },
    async directLink(id, filename, method, seconds, signedAt) {
      const input = { Bucket, Key: key(id, filename) };
      const command =
        method === 'HEAD' ? new HeadObjectCommand(input) : new GetObjectCommand(input);
      return getSignedUrl(client, command, {
        expiresIn: Math.max(1, Math.floor(seconds)),
        signingDate: new Date(signedAt),
      });
    },
    async download(id, filename, toPath) {
      const got = await client.send(new GetObjectCommand({ Bucket, Key: key(id, filename) }));
      if (!got.Body) throw new Error(`the bucket returned no body for ${filename}`);
      await pipeline(got.Body as Readable, createWriteStream(toPath, { flags: 'wx' }));
      const size = statSync(toPath).size;
      if (got.ContentLength !== undefined && size !== got.ContentLength) {
        rmSync(toPath, { force: true });
        throw new Error(`read ${size} of ${got.ContentLength} bytes of ${filename}`);
      }
    },
    async remove(id) {
      try {
        const keys = await keysUnder(folder(id));
        for (let i = 0; i < keys.length; i += 1000) {
          const out = await client.send(
            new DeleteObjectsCommand({
              Bucket,
              Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
            }),
          );
          if (out.Errors?.length) return false;
        }
        return true;
      } catch {
        return false;
      }
    },
    async storedIds() {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket,
            Prefix: opts.prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
        for (const p of page.CommonPrefixes ?? []) {
          const id = (p.Prefix ?? '').slice(opts.prefix.length).replace(/\/$/, '');
          if (isUuid(id)) ids.push(id);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return ids;
    },
    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
        return { kind: 's3', ok: true };
      } catch (err) {
        const e = err as {
          name?: string;
          message?: string;
          $metadata?: { httpStatusCode?: number };
        };
        const status = e.$metadata?.httpStatusCode;
        const why =
          status === 404
            ? `the bucket "${Bucket}" does not exist`
            : status === 403
              ? `access to the bucket "${Bucket}" is denied (check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`
              : `${e.name ?? 'error'}: ${e.message ?? 'no answer'}`;
        return { kind: 's3', ok: false, message: why };
      }
    },
    close() {
      client.destroy();
    },
  };
}
