// A row's progress in words: rows x of y, speed and time left from what the export reports.
import { describe, expect, it } from 'vitest';
import type { Export } from '../../shared/schemas/exports.ts';
import { progressWords, totalSpeed } from '../../renderer/src/screens/progress-words.ts';

const start = Date.parse('2026-01-01T00:00:00Z');
const exp = (patch: Partial<Export>): Export =>
  ({
    status: 'processing',
    rows_done: 0,
    row_count: null,
    bytes_done: 0,
    bytes_total: null,
    progress_pct: 0,
    started_at: '2026-01-01T00:00:00.000Z',
    ...patch,
  }) as Export;

describe('progressWords', () => {
  it('says queued for a pending export and nothing for a finished one', () => {
    expect(progressWords(exp({ status: 'pending' }), start)).toBe('Queued');
    expect(progressWords(exp({ status: 'completed' }), start)).toBeNull();
  });

  it('gives rows x of y, speed and time left from the bytes', () => {
    const words = progressWords(
      exp({ rows_done: 1200, row_count: 5000, bytes_done: 10_000_000, bytes_total: 40_000_000 }),
      start + 10_000,
    );
    expect(words).toContain('1,200 of 5,000 rows');
    expect(words).toContain('977 KB/s');
    expect(words).toContain('about 30 s left');
  });

  it('uses the percentage for time left when the total size is unknown', () => {
    const words = progressWords(
      exp({ rows_done: 50, bytes_done: 1000, progress_pct: 25 }),
      start + 60_000,
    );
    expect(words).toContain('50 rows');
    expect(words).toContain('about 3 min 0 s left');
  });
});

describe('totalSpeed', () => {
  it('adds the speed of every running export; none running is null, not 0 B/s', () => {
    const rows = [
      exp({ bytes_done: 10_000_000 }),
      exp({ bytes_done: 5_000_000 }),
      exp({ status: 'completed', bytes_done: 99_000_000 }),
    ];
    expect(totalSpeed(rows, start + 10_000)).toBe(1_500_000);
    // Just started: no speed measured yet, but something runs.
    expect(totalSpeed(rows, start + 500)).toBe(0);
    expect(totalSpeed([exp({ status: 'failed' })], start + 10_000)).toBeNull();
  });
});
