// Exports: the job rows, their status history, their files and Idempotency-Key answers.
import type { Migration } from './index.ts';

export const m0010: Migration = {
  version: 10,
  name: 'exports',
  up: `
    CREATE TABLE exports (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending','processing','completed','failed','canceled','expired')),
      source_type TEXT NOT NULL CHECK (source_type IN ('dataset','provider')),
      dataset TEXT,
      provider_id TEXT,
      provider_type TEXT,
      remote_id TEXT,
      remote_status TEXT,
      request_json TEXT NOT NULL,
      format TEXT NOT NULL,
      compression TEXT NOT NULL,
      compression_level INTEGER NOT NULL,
      columns_json TEXT,
      filter_json TEXT,
      params_json TEXT,
      progress_pct REAL NOT NULL DEFAULT 0,
      progress_stage TEXT,
      rows_done INTEGER NOT NULL DEFAULT 0,
      bytes_done INTEGER NOT NULL DEFAULT 0,
      bytes_total INTEGER,
      row_count INTEGER,
      byte_size INTEGER,
      error_json TEXT,
      recreated_from TEXT,
      schedule_id TEXT,
      destination_json TEXT,
      saved_paths_json TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      lease_owner TEXT,
      lease_expires_at INTEGER,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      completed_at INTEGER,
      expires_at INTEGER,
      updated_at INTEGER NOT NULL
    ) STRICT;
    -- Every list index ends in (created_at, id), the page order, so no page ever sorts the table.
    CREATE INDEX exports_by_created ON exports (created_at DESC, id DESC);
    CREATE INDEX exports_by_status ON exports (status, created_at DESC, id DESC);
    CREATE INDEX exports_by_schedule ON exports (schedule_id, created_at DESC, id DESC) WHERE schedule_id IS NOT NULL;
    CREATE INDEX exports_by_dataset ON exports (dataset, created_at DESC, id DESC) WHERE dataset IS NOT NULL;
    CREATE INDEX exports_by_provider ON exports (provider_id, created_at DESC, id DESC) WHERE provider_id IS NOT NULL;
    CREATE INDEX exports_by_expiry ON exports (expires_at) WHERE status = 'completed';

    CREATE TABLE export_history (
      export_id TEXT NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      status TEXT NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (export_id, seq)
    ) STRICT;

    CREATE TABLE export_files (
      export_id TEXT NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
      idx INTEGER NOT NULL,
      filename TEXT NOT NULL,
      byte_size INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      row_count INTEGER,
      PRIMARY KEY (export_id, idx)
    ) STRICT;

    CREATE TABLE idempotency_keys (
      key TEXT PRIMARY KEY,
      request_hash TEXT NOT NULL,
      export_id TEXT,
      status_code INTEGER,
      response_json TEXT,
      created_at INTEGER NOT NULL
    ) STRICT;
  `,
};
