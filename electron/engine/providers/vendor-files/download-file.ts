// Resumable download of one vendor file into `<name>.part`: Range + If-Range, size caps, link expiry.
import { createWriteStream, rmSync, statSync, truncateSync } from 'node:fs';
import { once } from 'node:events';
import type { Clock } from '../../clock.ts';
import { JobError } from '../../jobs/job-types.ts';
import type { Logger } from '../../logger.ts';
import { TransportError, safeUrl, type HttpClient } from '../http-client.ts';
import { sleep } from '../politeness.ts';
import type { RemoteError } from '../remote-export.ts';
import { capText, VENDOR_EXCERPT } from '../../text-cap.ts';
import { storageError } from './storage-error.ts';
import {
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  type BackoffSettings,
} from '../retry-policy.ts';

/**
 * The file URL refused the request (400, 401, 403, 404 or 410): the link expired, was revoked or
 * rotated. Never a verdict on the credential by itself: the caller reads the vendor export again.
 */
export class LinkExpiredError extends Error {
  readonly status: number;
  readonly vendor: RemoteError;
  /** The refused URL, with its signature redacted. */
  readonly url: string;
  constructor(status: number, vendor: RemoteError, url: string) {
    super(`The download link answered HTTP ${status}.`);
    this.name = 'LinkExpiredError';
    this.status = status;
    this.vendor = vendor;
    this.url = url;
  }
}

/** File URL answers that mean "this link no longer works", from storage or the vendor's own host. */
const linkRefusals = new Set([400, 401, 403, 404, 410]);

/** The vendor's download endpoint says the file is not ready yet (HookBridge 409 EXPORT_NOT_READY). */
export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

export interface DownloadSettings extends BackoffSettings {
  /** Failed attempts (connection cut, 5xx) of one file before giving up; each resumes. */
  readonly maxAttempts: number;
  /** Cut-off when neither the vendor nor the server says how large the file is. */
  readonly maxBytes: number;
  /** Where file links may point (each redirect hop); `trusted` is the provider's origin. */
  readonly checkUrl?: (url: URL, trusted: string) => Promise<void>;
}

export const defaultDownloadSettings: DownloadSettings = {
  maxAttempts: 8,
  maxBytes: 64 * 1024 ** 3,
  minDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
};

/** Survives between calls for one file, so a fresh link can resume the same `.part`. */
export interface ResumeState {
  /** Strong ETag or Last-Modified of the bytes already in the `.part`. */
  validator: string | null;
}

export interface DownloadJob {
  readonly url: string;
  readonly partPath: string;
  /** The vendor's announced size: more bytes than this are cut off. */
  readonly expectedSize: number | null;
  readonly http: HttpClient;
  /** Where the vendor's API lives: a 409 from it means "not ready yet", from storage an error. */
  readonly providerOrigin: string;
  readonly resume: ResumeState;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: DownloadSettings;
  onProgress(bytes: number, total: number | null): void;
}

class OversizeError extends Error {}

export const partSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

function parseContentRange(v: string | string[] | undefined) {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(v ?? '').trim());
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), size: m[3] === '*' ? null : Number(m[3]) };
}

function validatorOf(headers: Record<string, string | string[] | undefined>): string | null {
  const etag = headers.etag;
  // If-Range needs a strong validator: a weak ETag cannot promise byte-identical content.
  if (typeof etag === 'string' && !etag.startsWith('W/')) return etag;
  const lm = headers['last-modified'];
  return typeof lm === 'string' ? lm : null;
}

async function readSmallBody(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<unknown> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of body) {
      n += c.length;
      if (n > 64 * 1024) break;
      chunks.push(c);
    }
  } catch {
    /* an error body that breaks off tells us nothing more */
  } finally {
    body.destroy();
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Downloads `url` into `partPath`, resuming what is there; resolves with the byte count. */
export async function downloadToPart(job: DownloadJob): Promise<number> {
  const { settings, clock, signal } = job;
  let failures = 0;
  const retryLater = async (problem: string, retryAfterMs: number | null) => {
    failures++;
    if (failures >= settings.maxAttempts)
      throw new JobError(
        'DOWNLOAD_FAILED',
        `The download failed ${failures} times; last: ${problem}`,
        { url: safeUrl(job.url) },
      );
    job.logger.info('download will be retried', { url: safeUrl(job.url), problem, failures });
    await sleep(clock, retryDelay(failures, retryAfterMs, settings), signal);
  };

  for (;;) {
    let have = partSize(job.partPath);
    if (have > 0 && job.resume.validator === null) {
      // Bytes we cannot vouch for (no validator to resume against): start over.
      truncateSync(job.partPath, 0);
      have = 0;
    }
    if (have > 0 && job.expectedSize !== null && have === job.expectedSize) return have;
    const headers: Record<string, string> =
      have > 0 ? { range: `bytes=${have}-`, 'if-range': job.resume.validator! } : {};

    let res;
    try {
      const check = settings.checkUrl;
      res = await job.http.request({
        url: job.url,
        headers,
        signal,
        retry: false,
        ...(check ? { checkUrl: (u: URL) => check(u, job.providerOrigin) } : {}),
      });
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      if (['BAD_SCHEME', 'BAD_URL', 'TOO_MANY_REDIRECTS', 'FORBIDDEN_URL'].includes(err.code))
        throw new JobError('DOWNLOAD_FAILED', err.message, { url: safeUrl(job.url) });
      await retryLater(err.message, null);
      continue;
    }
    const fromVendor = new URL(res.url).origin === job.providerOrigin;
    const status = res.status;
    if (status !== 200 && status !== 206) {
      const body = await readSmallBody(res.body);
      const vendor = storageError(body);
      const details = {
        http_status: status,
        vendor_code: vendor.code,
        vendor_message: vendor.message,
        url: safeUrl(res.url),
      };
      if (linkRefusals.has(status)) throw new LinkExpiredError(status, vendor, safeUrl(res.url));
      if (fromVendor && status === 409)
        throw new NotReadyError(vendor.message ?? 'The vendor says the export is not ready.');
      if (status === 416) {
        // The part is longer than the file now is: whatever it holds is not this file.
        truncateSync(job.partPath, 0);
        job.resume.validator = null;
        await retryLater('the server refused the resume range (416)', null);
        continue;
      }
      if (isRetryableStatus(status)) {
        await retryLater(
          `HTTP ${status}`,
          parseRetryAfter(res.headers['retry-after'], clock.now()),
        );
        continue;
      }
      throw new JobError(
        'DOWNLOAD_FAILED',
        `The file's server answered HTTP ${status}${vendor.message ? `: ${capText(vendor.message, VENDOR_EXCERPT)}` : '.'}`,
        details,
      );
    }

    let start = 0;
    let total: number | null;
    const length =
      res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : null;
    if (status === 206) {
      const range = parseContentRange(res.headers['content-range']);
      if (!range || range.start !== have) {
        res.body.destroy();
        truncateSync(job.partPath, 0);
        job.resume.validator = null;
        await retryLater('the server resumed at the wrong offset', null);
        continue;
      }
      start = have;
      total = range.size ?? (length !== null ? start + length : job.expectedSize);
    } else {
      // 200: the server ignored the Range, or the file changed (If-Range): never append, restart.
      total = length ?? job.expectedSize;
      job.resume.validator = validatorOf(res.headers);
    }
    if (job.expectedSize !== null && total !== null && total > job.expectedSize) {
      res.body.destroy();
      rmSync(job.partPath, { force: true });
      throw new JobError(
        'DOWNLOAD_FAILED',
        `The file's server announces ${total} bytes, more than the ${job.expectedSize} the vendor announced; refused.`,
        { expected_size: job.expectedSize, announced_size: total, url: safeUrl(res.url) },
      );
    }
    const cap = job.expectedSize ?? total ?? settings.maxBytes;
    let written = start;
    const out = createWriteStream(job.partPath, { flags: start === 0 ? 'w' : 'a' });
    // Written by hand rather than with pipeline(): when the connection breaks, what was received
    // is still flushed to the .part (pipeline would destroy the file stream mid-write), so the
    // resume starts as late as possible.
    let writeError: Error | null = null;
    out.on('error', (e) => (writeError = e));
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (writeError) throw writeError;
        written += chunk.length;
        if (written > cap) throw new OversizeError();
        job.onProgress(written, total);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      if (!out.closed) await once(out, 'close');
      if (writeError) throw writeError;
      return partSize(job.partPath);
    } catch (err) {
      res.body.destroy();
      if (!out.closed) {
        out.end();
        await once(out, 'close').catch(() => undefined);
      }
      if (signal.aborted) throw signal.reason as Error;
      if (err instanceof OversizeError) {
        rmSync(job.partPath, { force: true });
        throw new JobError(
          'DOWNLOAD_FAILED',
          `The file's server sent more than the ${cap} bytes announced; the download was cut off.`,
          { expected_size: cap, url: safeUrl(res.url) },
        );
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        rmSync(job.partPath, { force: true });
        throw new JobError('DISK_FULL', 'The disk is full: the download could not be written.');
      }
      if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') throw err;
      // The connection broke mid-file: the next round resumes from what reached the disk.
      await retryLater(`the connection broke after ${written} bytes (${code ?? 'error'})`, null);
    }
  }
}
