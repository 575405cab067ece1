import type { Migration } from './index.ts';

export const m0020: Migration = {
  version: 20,
  name: 'datasets',
  up: `
    CREATE TABLE datasets (
      name TEXT PRIMARY KEY,
      status TEXT NOT NULL CHECK (status IN ('importing','ready','failed')),
      columns_json TEXT NOT NULL DEFAULT '[]',
      time_column TEXT,
      row_count INTEGER,
      progress_pct REAL NOT NULL DEFAULT 0,
      bytes_done INTEGER NOT NULL DEFAULT 0,
      bytes_total INTEGER,
      source TEXT,
      error_json TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    -- Dataset files are named after the dataset: two names differing only in case would share
    -- a file on case-insensitive file systems.
    CREATE UNIQUE INDEX datasets_by_name_nocase ON datasets (name COLLATE NOCASE);

    -- Facts about the datasets of this data folder, e.g. that the demo was created once.
    CREATE TABLE datasets_state (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;
  `,
};
