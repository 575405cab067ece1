import type { Migration } from './index.ts';

export const m0040: Migration = {
  version: 40,
  name: 'providers',
  up: `
    CREATE TABLE providers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      type TEXT NOT NULL CHECK (type IN ('datadriver','hookbridge','dealmachine','dynamic','export-manager','generic')),
      base_url TEXT NOT NULL,
      options_json TEXT NOT NULL DEFAULT '{}',
      credential_sealed TEXT,
      credential_kind TEXT,
      max_concurrent_exports INTEGER NOT NULL DEFAULT 2,
      requests_per_second REAL NOT NULL DEFAULT 5,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX providers_by_created ON providers (created_at, id);

    -- One row per vendor export we asked for on behalf of an export of ours: written (as an
    -- intent, remote_id NULL) before the create request is sent, so a retry after a crash re-sends
    -- the same Idempotency-Key instead of creating a second export at the vendor.
    CREATE TABLE provider_remote_exports (
      export_id TEXT NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      provider_id TEXT NOT NULL,
      idempotency_key TEXT NOT NULL,
      request_json TEXT NOT NULL,
      remote_id TEXT,
      remote_status TEXT,
      recreated_from TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (export_id, seq)
    ) STRICT;
  `,
};
