// The one HTTP client for vendors: undici Agent with timeouts, retry (429/5xx/network), politeness.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent, interceptors, type Dispatcher } from 'undici';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { createTokenBucket } from './politeness.ts';
import { guardBody } from './safe-body.ts';
import {
  isRetryableStatus,
  parseRetryAfter,
  retryableErrorCodes,
  retryDelay,
  type BackoffSettings,
} from './retry-policy.ts';

export interface HttpSettings extends BackoffSettings {
  readonly connectTimeoutMs: number;
  /** A vendor that accepts the connection but never answers fails after this long. */
  readonly headersTimeoutMs: number;
  /** Longest silence in the middle of a body. */
  readonly bodyTimeoutMs: number;
  /** Retries of an API request after the first attempt (429, 5xx, network errors). */
  readonly maxRetries: number;
  readonly maxRedirects: number;
  /** Largest JSON answer read from a vendor. */
  readonly maxJsonBytes: number;
}

export const defaultHttpSettings: HttpSettings = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 60_000,
  maxRetries: 5,
  minDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
  maxRedirects: 5,
  maxJsonBytes: 8 * 1024 * 1024,
};

/** Who the client talks for: the Bearer credential goes to this origin only, never to storage hosts. */
export interface ClientIdentity {
  readonly origin: string;
  readonly credential: string | null;
  requestsPerSecond(): number;
}

/** A failure below HTTP (connection, timeout, refused redirect): `code` is undici's or ours. */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

export interface HttpRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** false: one attempt only (downloads resume by themselves; connection tests answer fast). */
  readonly retry?: boolean;
  /** Called with every URL (each redirect hop) before it is fetched; throws to refuse it. */
  readonly checkUrl?: (url: URL) => Promise<void>;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  readonly url: string;
  /** Must be consumed or destroyed by the caller. */
  readonly body: Readable;
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
  /** Parsed JSON, or the text when it is not JSON, or null when empty. */
  readonly body: unknown;
}

/** A request about to be sent again: what went wrong, and when the next try goes. */
export interface RetryNotice {
  /** This retry's number, 1 for the first. */
  readonly retry: number;
  readonly maxRetries: number;
  readonly waitMs: number;
  /** In words: "api.vendor.com did not answer within 60 s.", "api.vendor.com answered 503." */
  readonly reason: string;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  json(req: HttpRequest): Promise<JsonResponse>;
  /**
   * Calls `listener` before each retry of a request made with `signal` (a job's), so the job can
   * say why it is waiting. Returns the function that stops watching.
   */
  watchRetries(signal: AbortSignal, listener: (notice: RetryNotice) => void): () => void;
  close(): Promise<void>;
}

/** A URL fit for a log line: no query string (presigned tokens), no user info. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '[unparsable url]';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function createHttpClient(
  env: { readonly clock: Clock; readonly logger: Logger },
  identity: ClientIdentity,
  settings: HttpSettings = defaultHttpSettings,
): HttpClient {
  const { clock, logger } = env;
  const agent = new Agent({
    connectTimeout: settings.connectTimeoutMs,
    headersTimeout: settings.headersTimeoutMs,
    bodyTimeout: settings.bodyTimeoutMs,
    keepAliveTimeout: 10_000,
    // HTTP/1.1 only: with HTTP/2, one request whose header undici refuses leaves the origin's
    // session stuck (every later request and close() hang; seen with undici 8.12).
    allowH2: false,
  });
  const bucket = createTokenBucket(clock, () => identity.requestsPerSecond());
  const retryWatchers = new WeakMap<AbortSignal, (notice: RetryNotice) => void>();

  // Every attempt (retries included) waits for a token, so a retry storm stays polite too.
  const polite: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    void bucket.take().then(() => dispatch(opts, handler));
    return true;
  };

  const retry = interceptors.retry({
    // The last answer (its body carries the vendor's error) reaches us when retries run out.
    throwOnError: false,
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'],
    maxRetries: settings.maxRetries,
    retry(err, { state, opts }, cb) {
      const e = err as Error & {
        statusCode?: number;
        code?: string;
        headers?: IncomingHttpHeaders;
      };
      const retryable =
        e.statusCode !== undefined
          ? isRetryableStatus(e.statusCode)
          : e.code !== undefined && retryableErrorCodes.has(e.code);
      const signal = (opts as { signal?: AbortSignal | null }).signal;
      if (!retryable || state.counter > settings.maxRetries || signal?.aborted) {
        cb(err);
        return;
      }
      const wait = retryDelay(
        state.counter,
        parseRetryAfter(e.headers?.['retry-after'], clock.now()),
        settings,
      );
      const watcher = signal ? retryWatchers.get(signal) : undefined;
      if (watcher) {
        const host = new URL(String(opts.origin)).host;
        watcher({
          retry: state.counter,
          maxRetries: settings.maxRetries,
          waitMs: wait,
          reason:
            e.statusCode !== undefined
              ? `${host} answered ${e.statusCode}.`
              : describeTransport(e.code ?? 'unknown', host, settings),
        });
      }
      logger.info('vendor request will be retried', {
        url: safeUrl(`${String(opts.origin)}${opts.path}`),
        status: e.statusCode ?? null,
        error: e.statusCode === undefined ? (e.code ?? e.message) : null,
        attempt: state.counter,
        wait_ms: wait,
      });
      clock.setTimeout(() => cb(null), wait);
    },
  });

  // Redirects are followed by hand below, not by undici's interceptor: each hop decides afresh
  // whether the credential may go there (the provider's origin only), and non-http(s) targets
  // are refused with a message a user can act on.
  const once = agent.compose(polite);
  const retrying = agent.compose(polite, retry);

  async function request(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let method = req.method ?? 'GET';
    let body = req.body;
    for (let hop = 0; ; hop++) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new TransportError('BAD_URL', `The vendor gave an unusable URL (${safeUrl(url)}).`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        throw new TransportError(
          'BAD_SCHEME',
          `Refused to follow a ${u.protocol} URL: only http and https are fetched.`,
        );
      }
      if (req.checkUrl) await req.checkUrl(u);
      const headers: Record<string, string> = { ...req.headers };
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      // The credential is for the vendor's API only: presigned storage links need none.
      if (identity.credential && u.origin === identity.origin)
        headers.authorization = `Bearer ${identity.credential}`;
      const started = clock.now();
      let res: Dispatcher.ResponseData;
      try {
        res = await (req.retry === false ? once : retrying).request({
          origin: u.origin,
          path: u.pathname + u.search,
          method,
          headers,
          body: body ?? null,
          signal: req.signal ?? null,
        });
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason as Error;
        const code = (err as { code?: string }).code ?? 'NETWORK';
        logger.warn('vendor request failed', { method, url: safeUrl(url), error: code });
        throw new TransportError(code, describeTransport(code, u.host, settings));
      }
      logger.debug('vendor request', {
        method,
        url: safeUrl(url),
        status: res.statusCode,
        ms: clock.now() - started,
      });
      guardBody(res.body);
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode) && typeof location === 'string') {
        await res.body.dump();
        if (hop >= settings.maxRedirects)
          throw new TransportError(
            'TOO_MANY_REDIRECTS',
            `The vendor redirected more than ${settings.maxRedirects} times.`,
          );
        url = new URL(location, url).href;
        // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
        if (res.statusCode === 303 || (res.statusCode <= 302 && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      return { status: res.statusCode, headers: res.headers, url, body: res.body };
    }
  }

  async function json(req: HttpRequest): Promise<JsonResponse> {
    const res = await request({ ...req, headers: { accept: 'application/json', ...req.headers } });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > settings.maxJsonBytes) {
          res.body.destroy();
          throw new TransportError(
            'RESPONSE_TOO_LARGE',
            `The vendor's answer is larger than ${settings.maxJsonBytes} bytes.`,
          );
        }
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof TransportError) throw err;
      if (req.signal?.aborted) throw req.signal.reason as Error;
      const code = (err as { code?: string }).code ?? 'NETWORK';
      throw new TransportError(code, describeTransport(code, new URL(res.url).host, settings));
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown = null;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text.slice(0, 2000);
      }
    }
    return { status: res.status, headers: res.headers, url: res.url, body: parsed };
  }

  function watchRetries(signal: AbortSignal, listener: (notice: RetryNotice) => void) {
    retryWatchers.set(signal, listener);
    return () => {
      if (retryWatchers.get(signal) === listener) retryWatchers.delete(signal);
    };
  }

  return { request, json, watchRetries, close: () => agent.close() };
}

/** A duration in words: "150 ms", "60 s". */
export const span = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

function describeTransport(code: string, host: string, s: HttpSettings): string {
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `${host} did not answer within ${span(s.headersTimeoutMs)}.`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `${host} stopped sending for more than ${span(s.bodyTimeoutMs)}.`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `Could not connect to ${host} within ${span(s.connectTimeoutMs)}.`;
    case 'ECONNREFUSED':
      return `${host} refused the connection.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${host} could not be found (DNS).`;
    default:
      return `The connection to ${host} failed (${code}).`;
  }
}
