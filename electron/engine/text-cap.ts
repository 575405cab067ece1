// Texts that come from outside (a vendor) (error messages, codes, statuses, stages) are capped before they are
// stored, logged or broadcast: a vendor's 7 MB error must not make every list of exports huge.

/** Longest vendor text kept, in characters; the rest is counted, not stored. */
export const MAX_VENDOR_TEXT = 4096;
/** Longest excerpt of a vendor message inside one of our own sentences (the full text is in details). */
export const VENDOR_EXCERPT = 300;

/** `text` cut to `max` characters, saying how many were left out: "…abc… (7340032 more characters)". */
export function capText(text: string, max = MAX_VENDOR_TEXT): string {
  if (text.length <= max) return text;
  // Already capped once (at this size): keep the first count of what was left out.
  if (text.length <= max + 40 && /… \(\d+ more characters\)$/.test(text)) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** capText for a value that may be null. */
export function capNullable(text: string | null, max = MAX_VENDOR_TEXT): string | null {
  return text === null ? null : capText(text, max);
}

/** A copy of `value` with every string capped and at most `maxKeys` keys/items per level. */
export function capDeep(value: unknown, max = MAX_VENDOR_TEXT, maxKeys = 50, depth = 0): unknown {
  if (typeof value === 'string') return capText(value, max);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, maxKeys).map((v) => capDeep(v, max, maxKeys, depth + 1));
    if (value.length > maxKeys) items.push(`… (${value.length - maxKeys} more items)`);
    return items;
  }
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries.slice(0, maxKeys))
    out[capText(k, 200)] = capDeep(v, max, maxKeys, depth + 1);
  if (entries.length > maxKeys) out['…'] = `${entries.length - maxKeys} more keys`;
  return out;
}
