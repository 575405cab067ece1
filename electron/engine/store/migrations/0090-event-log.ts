import type { Migration } from './index.ts';

// The events sent on GET /v1/events, kept for a while so a client that reconnects gets what it
// missed. AUTOINCREMENT: an id is never reused, even after the oldest rows are pruned, so ids stay
// unique and increasing across connections and restarts.
export const m0090: Migration = {
  version: 90,
  name: 'event-log',
  up: `
    CREATE TABLE event_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      data_json TEXT NOT NULL,
      at INTEGER NOT NULL
    ) STRICT;
  `,
};
