import type { Migration } from './index.ts';

// The recovery steps of an export in words (links refreshed, vendor export re-created), and the
// forward links of re-creation: an export re-created through the API, a vendor export re-created
// by the engine.
export const m0060: Migration = {
  version: 60,
  name: 'export-timeline',
  up: `
    CREATE TABLE export_timeline (
      export_id TEXT NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      at INTEGER NOT NULL,
      kind TEXT NOT NULL,
      text TEXT NOT NULL,
      PRIMARY KEY (export_id, seq)
    ) STRICT;
    ALTER TABLE exports ADD COLUMN recreated_as TEXT;
    ALTER TABLE provider_remote_exports ADD COLUMN recreated_as TEXT;
  `,
};
