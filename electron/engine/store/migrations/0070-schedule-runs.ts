import type { Migration } from './index.ts';

// One row per run of a schedule, numbered from 1, kept after its export and files are pruned, so
// the history is whole. A row is written (status 'starting') in the same transaction that consumes
// the slot, before the export exists: after a crash the run is finished with the same export.
export const m0070: Migration = {
  version: 70,
  name: 'schedule runs',
  up: `
    CREATE TABLE schedule_runs (
      schedule_id TEXT NOT NULL,
      number INTEGER NOT NULL,
      trigger TEXT NOT NULL CHECK (trigger IN ('timetable', 'keep_fresh', 'run_now', 'catch_up', 'retry')),
      status TEXT NOT NULL,
      export_id TEXT,
      started_at INTEGER NOT NULL,
      ended_at INTEGER,
      rows INTEGER,
      bytes INTEGER,
      saved_path TEXT,
      stable_path TEXT,
      error_json TEXT,
      file_removed TEXT,
      changes_json TEXT,
      PRIMARY KEY (schedule_id, number)
    ) STRICT;
    CREATE INDEX schedule_runs_by_export ON schedule_runs (export_id);
  `,
};
