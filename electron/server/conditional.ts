// Conditional requests on a served file (RFC 9110 section 13): If-Match and If-Unmodified-Since
// refuse with 412 when the file changed, If-None-Match and If-Modified-Since answer 304 when the
// client's copy is current, and If-Range resumes only from the same file. Evaluated in the RFC's
// order; a date that does not parse is ignored, as the RFC says.

/** Last-Modified has one-second precision: compare in whole seconds. */
export const toHttpSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000;

export const httpDate = (ms: number): string => new Date(toHttpSeconds(ms)).toUTCString();

function parseDate(header: string | undefined): number | null {
  if (header === undefined) return null;
  const t = Date.parse(header);
  return Number.isNaN(t) ? null : t;
}

const tags = (header: string): string[] => header.split(',').map((t) => t.trim());

/** If-Match: `*`, or a list where one tag equals ours, compared strongly (a weak tag never does). */
export function strongMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return tags(header).some((t) => t === etag);
}

/** If-None-Match: `*`, or a list where one tag equals ours, compared weakly. */
export function weakMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return tags(header).some((t) => t.replace(/^W\//, '') === etag);
}

export interface Validators {
  readonly etag: string;
  /** ms since the epoch, whole seconds. */
  readonly lastModified: number;
}

type Headers = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v.join(', ') : v;

/** What the preconditions of a GET or HEAD of this file decide. */
export function preconditions(headers: Headers, v: Validators): 'send' | 'not-modified' | 'failed' {
  const ifMatch = one(headers['if-match']);
  if (ifMatch !== undefined) {
    if (!strongMatch(ifMatch, v.etag)) return 'failed';
  } else {
    const since = parseDate(one(headers['if-unmodified-since']));
    if (since !== null && v.lastModified > since) return 'failed';
  }
  const ifNoneMatch = one(headers['if-none-match']);
  if (ifNoneMatch !== undefined) return weakMatch(ifNoneMatch, v.etag) ? 'not-modified' : 'send';
  const modifiedSince = parseDate(one(headers['if-modified-since']));
  if (modifiedSince !== null && v.lastModified <= modifiedSince) return 'not-modified';
  return 'send';
}

/** If-Range: the range applies only when the validator names this very file. */
export function rangeApplies(ifRange: string | string[] | undefined, v: Validators): boolean {
  const header = one(ifRange);
  if (header === undefined) return true;
  const h = header.trim();
  if (h.startsWith('"') || h.startsWith('W/')) return h === v.etag;
  const t = parseDate(h);
  return t !== null && t === v.lastModified;
}
