import type { Migration } from './index.ts';

// A schedule's choices for comparing and narrowing its runs: the key column that matches rows
// between two runs, and for incremental runs the column whose high-water mark each run starts
// above. The mark moves only in the transaction that ends a completed run, and each run keeps the
// mark it started above and the one it reached, so a crash neither skips nor repeats rows.
export const m0110: Migration = {
  version: 110,
  name: 'schedule change keys and high-water marks',
  up: `
    ALTER TABLE schedules ADD COLUMN changes_key TEXT;
    ALTER TABLE schedules ADD COLUMN incremental_column TEXT;
    ALTER TABLE schedules ADD COLUMN high_water_json TEXT;
    ALTER TABLE schedule_runs ADD COLUMN since_json TEXT;
    ALTER TABLE schedule_runs ADD COLUMN high_water_json TEXT;
  `,
};
