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
          : [Math.round(abs / 86_400_000), 'day'];
  if (abs < 5_000) return 'just now';
  const words = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return diff < 0 ? `${words} ago` : `in ${words}`;
}
