// Reads values out of vendor JSON by dotted paths with indexes: "data.download_urls[0].url".

/** The value at path ('' or '$' is the root); undefined when any step is missing. */
export function readPath(root: unknown, path: string | undefined): unknown {
  if (path === undefined) return undefined;
  const p = path.replace(/^\$\.?/, '');
  if (p === '') return root;
  let cur: unknown = root;
  for (const raw of p.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(raw);
    if (!m) return undefined;
    if (m[1]) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
      cur = (cur as Record<string, unknown>)[m[1]];
    }
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(idx[1])];
    }
  }
  return cur;
}

export const isValidPath = (path: string): boolean =>
  path.replace(/^\$\.?/, '') === '' ||
  path
    .replace(/^\$\.?/, '')
    .split('.')
    .every((seg) => /^[^[\]]*((?:\[\d+\])*)$/.test(seg) && seg !== '');

export function asString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

export function asNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** ISO 8601 text or epoch seconds/milliseconds, as ms since epoch. */
export function asTime(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v;
  if (typeof v === 'string') {
    const n = Date.parse(v);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}
