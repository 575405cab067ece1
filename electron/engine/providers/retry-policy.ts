// When and how long to wait before asking a vendor again: Retry-After first, else backoff with jitter.

export interface BackoffSettings {
  /** First backoff step, ms; doubles per attempt. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** A vendor asking for more than this (Retry-After) is waited on for this long only. */
  readonly maxRetryAfterMs: number;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half the step fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, s: BackoffSettings, random = Math.random): number {
  const step = Math.min(s.maxDelayMs, s.minDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** The wait before retry number `attempt` (1-based), honouring the vendor's Retry-After. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | null,
  s: BackoffSettings,
  random = Math.random,
): number {
  if (retryAfterMs !== null) {
    const asked = Math.min(retryAfterMs, s.maxRetryAfterMs);
    // A little jitter on top (never below what was asked) so many clients do not return together.
    return Math.round(asked + random() * Math.min(1000, asked * 0.1));
  }
  return backoffDelay(attempt, s, random);
}

/** Statuses worth asking again: rate limiting and transient server trouble (not 501). */
export const isRetryableStatus = (status: number): boolean =>
  status === 429 || status === 408 || (status >= 500 && status !== 501 && status <= 599);

/** undici / Node error codes of a failed exchange that a later attempt may not meet. */
export const retryableErrorCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
