// Human-friendly sizes, counts and times.
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export const count = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : n.toLocaleString('en-US');

export function relative(isoTime: string | null | undefined, now = Date.now()): string {
  if (!isoTime) return '—';
  const diff = Date.parse(isoTime) - now;
  const abs = Math.abs(diff);
  const [value, unit] =
    abs < 60_000
      ? [Math.round(abs / 1000), 'second']
      : abs < 3_600_000
        ? [Math.round(abs / 60_000), 'minute']
        : abs < 86_400_000
          ? [Math.round(abs / 3_600_000), 'hour']
          : abs < 45 * 86_400_000
            ? [Math.round(abs / 86_400_000), 'day']
            : abs < 365 * 86_400_000
              ? [Math.round(abs / (30 * 86_400_000)), 'month']
              : [Math.round(abs / (365 * 86_400_000)), 'year'];
  if (abs < 5_000) return 'just now';
  const words = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return diff < 0 ? `${words} ago` : `in ${words}`;
}

/** "2 h 5 min", "42 s": how long something took or has been running. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

/** A moment in the user's own zone and words: "Nov 22, 2026, 5:42:10 PM". */
export function dateTime(isoTime: string | null | undefined): string {
  if (!isoTime) return '—';
  return new Date(isoTime).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
}

/** "every 15 minutes", "every day": an interval in words. */
export function every(seconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, unit] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
    }
  }
  return `every ${seconds} seconds`;
}
