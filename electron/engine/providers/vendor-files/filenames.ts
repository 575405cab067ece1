// Vendor file names made safe to store and serve: one plain segment, honest extension, no clashes.
import { isSafeFilename, slugify } from '../../storage/files.ts';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;
const DATA_EXT = /\.(csv|tsv|txt|json|jsonl|ndjson)(\.gz|\.zst)?$/i;

/**
 * A vendor's name for a file, reduced to something that cannot leave the folder it is written to:
 * `../../.bashrc` -> `bashrc`, `C:\x` -> `x`, NUL and control characters dropped.
 */
export function sanitizeFilename(raw: string | null | undefined, fallback: string): string {
  let name = (raw ?? '').normalize('NFC');
  // Keep only the last path segment, whichever separator the vendor used.
  name = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we drop
  name = name.replace(/[\x00-\x1f\x7f]/g, '');
  // `%` too: a stored name is served under a URL, where `%2F..` would decode into a path.
  name = name.replace(/[:*?"<>|%]/g, '-');
  name = name.replace(/^[\s.-]+/, '').replace(/[\s.]+$/, '');
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  // The runner keeps half-downloaded files as `*.part` and start-up deletes those: never end so.
  if (/\.part$/i.test(name)) name = name.slice(0, -5) + '-part';
  if (name.length > 180) {
    const ext = /(\.[A-Za-z0-9]{1,8}){1,2}$/.exec(name)?.[0] ?? '';
    name = name.slice(0, 180 - ext.length) + ext;
  }
  if (!isSafeFilename(name)) name = slugify(name, '');
  return name || fallback;
}

/** The last path segment of a URL when it looks like a data file (`exp_1.csv.gz`), else null. */
export function nameFromUrl(url: string): string | null {
  try {
    const last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return DATA_EXT.test(last) ? last : null;
  } catch {
    return null;
  }
}

/** Makes the extension tell the truth about the bytes: `.gz` exactly when they are gzip. */
export function withHonestExtension(name: string, gzip: boolean): string {
  const isGz = /\.gz$/i.test(name);
  if (gzip && !isGz) return DATA_EXT.test(name) ? `${name}.gz` : `${name}.csv.gz`;
  if (!gzip && isGz) return name.slice(0, -3);
  if (!gzip && !DATA_EXT.test(name)) return `${name}.csv`;
  return name;
}

/** `name.csv.gz` -> `name-2.csv.gz` until it is not in `taken`; adds the result to `taken`. */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  const m = /^(.*?)((?:\.[A-Za-z0-9]{1,8}){0,2})$/.exec(name);
  const stem = m?.[1] || name;
  const ext = m?.[2] ?? '';
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}-${n}${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
