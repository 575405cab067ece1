import type { Migration } from './index.ts';

// next_run_at is the planned slot (cron or interval); due_at is when the loop acts next (the slot,
// a keep-fresh re-creation or a backoff retry, whichever applies), kept on the row so one indexed
// MIN() arms the single timer.
export const m0050: Migration = {
  version: 50,
  name: 'schedules',
  up: `
    CREATE TABLE schedules (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      request_json TEXT NOT NULL,
      cron TEXT,
      timezone TEXT NOT NULL,
      every_seconds INTEGER,
      keep_fresh INTEGER NOT NULL DEFAULT 0 CHECK (keep_fresh IN (0, 1)),
      keep_fresh_margin_seconds INTEGER NOT NULL DEFAULT 3600,
      retain INTEGER,
      destination_json TEXT,
      filename_template TEXT,
      enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
      next_run_at INTEGER,
      fresh_due_at INTEGER,
      retry_at INTEGER,
      due_at INTEGER,
      running_export_id TEXT,
      running_kind TEXT CHECK (running_kind IN ('run', 'refresh')),
      latest_export_id TEXT,
      last_run_at INTEGER,
      last_error_json TEXT,
      consecutive_failures INTEGER NOT NULL DEFAULT 0,
      run_count INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      CHECK ((cron IS NULL) <> (every_seconds IS NULL))
    ) STRICT;
    CREATE INDEX schedules_by_due ON schedules (due_at)
      WHERE enabled = 1 AND running_export_id IS NULL;
    CREATE INDEX schedules_by_created ON schedules (created_at DESC, id DESC);
  `,
};
