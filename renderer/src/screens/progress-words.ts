// A running export's progress in words, from what it reports: rows x of y, speed, time left.
import type { Export } from '../../../shared/schemas/exports.ts';
import { bytes, count, duration } from '../format.ts';

/** "1,200 of 5,000 rows · 2.1 MB/s · about 12 s left", from what the export knows so far. */
export function progressWords(e: Export, now: number): string | null {
  if (e.status === 'pending') return 'Queued';
  if (e.status !== 'processing') return null;
  const parts: string[] = [];
  if (e.rows_done > 0)
    parts.push(
      e.row_count
        ? `${count(e.rows_done)} of ${count(e.row_count)} rows`
        : `${count(e.rows_done)} rows`,
    );
  else if (e.bytes_total && e.bytes_done > 0)
    parts.push(`${bytes(e.bytes_done)} of ${bytes(e.bytes_total)}`);
  const started = e.started_at ? Date.parse(e.started_at) : NaN;
  const elapsed = Number.isNaN(started) ? 0 : Math.max(0, now - started);
  if (elapsed > 1000 && e.bytes_done > 0) {
    parts.push(`${bytes((e.bytes_done * 1000) / elapsed)}/s`);
    let left: number | null = null;
    if (e.bytes_total && e.bytes_total > e.bytes_done)
      left = ((e.bytes_total - e.bytes_done) * elapsed) / e.bytes_done;
    else if (e.progress_pct > 0 && e.progress_pct < 100)
      left = (elapsed * (100 - e.progress_pct)) / e.progress_pct;
    if (left !== null) parts.push(`about ${duration(left)} left`);
  }
  return parts.length ? parts.join(' · ') : null;
}

/** The bytes per second of every running export among `rows`, together; null when none runs. */
export function totalSpeed(rows: readonly Export[], now: number): number | null {
  let sum = 0;
  let running = 0;
  for (const e of rows) {
    if (e.status !== 'processing') continue;
    running++;
    const started = e.started_at ? Date.parse(e.started_at) : NaN;
    const elapsed = Number.isNaN(started) ? 0 : now - started;
    if (elapsed > 1000 && e.bytes_done > 0) sum += (e.bytes_done * 1000) / elapsed;
  }
  return running ? sum : null;
}
