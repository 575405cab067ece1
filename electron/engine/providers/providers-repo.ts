// The providers aggregate in SQLite, and the durable record of each vendor export we asked for.
import type { StoreDb } from '../store/store-db.ts';
import { immediate } from '../store/db.ts';

export interface ProviderRow {
  id: string;
  name: string;
  type: string;
  base_url: string;
  options_json: string;
  credential_sealed: string | null;
  credential_kind: string | null;
  max_concurrent_exports: number;
  requests_per_second: number;
  created_at: number;
  updated_at: number;
}

export interface RemoteExportRow {
  export_id: string;
  seq: number;
  provider_id: string;
  idempotency_key: string;
  request_json: string;
  remote_id: string | null;
  remote_status: string | null;
  recreated_from: string | null;
  /** The vendor export that replaced this one after it expired. */
  recreated_as?: string | null;
  created_at: number;
  updated_at: number;
}

export function createProvidersRepo(db: StoreDb) {
  const getRow = db.prepare('SELECT * FROM providers WHERE id = ?');
  const listRows = db.prepare('SELECT * FROM providers ORDER BY created_at, id');
  // CAST(? AS TEXT): compiled once, not on every call (docs/architecture.md, "Statements compiled
  // once").
  const latest = db.prepare(
    'SELECT * FROM provider_remote_exports WHERE export_id = CAST(? AS TEXT) ORDER BY seq DESC LIMIT 1',
  );

  return {
    get: (id: string): ProviderRow | null => (getRow.get(id) as ProviderRow | undefined) ?? null,
    list: (): ProviderRow[] => listRows.all() as ProviderRow[],

    insert(row: ProviderRow): void {
      const cols = Object.keys(row);
      immediate(db, () =>
        db
          .prepare(
            `INSERT INTO providers (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`,
          )
          .run(row),
      );
    },

    update(id: string, fields: Partial<ProviderRow>): void {
      const keys = Object.keys(fields);
      if (keys.length === 0) return;
      immediate(db, () =>
        db
          .prepare(
            `UPDATE providers SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`,
          )
          .run({ ...fields, id }),
      );
    },

    /** Deletes unless exports are still running on it; returns how many were (0 = deleted). */
    removeUnlessBusy(id: string): number {
      return immediate(db, () => {
        const busy = db
          .prepare(
            "SELECT count(*) FROM exports WHERE provider_id = ? AND status IN ('pending','processing')",
          )
          .pluck()
          .get(id) as number;
        if (busy === 0) db.prepare('DELETE FROM providers WHERE id = ?').run(id);
        return busy;
      });
    },

    /** The newest vendor export (or intent to create one) of an export of ours. */
    latestRemote: (exportId: string): RemoteExportRow | null =>
      (latest.get(exportId) as RemoteExportRow | undefined) ?? null,

    remotes: (exportId: string): RemoteExportRow[] =>
      db
        .prepare('SELECT * FROM provider_remote_exports WHERE export_id = ? ORDER BY seq')
        .all(exportId) as RemoteExportRow[],

    /** Written before the create request leaves: a crash after it re-sends the same key. */
    addIntent(row: Omit<RemoteExportRow, 'seq'>): RemoteExportRow {
      return immediate(db, () => {
        const seq =
          ((db
            .prepare('SELECT max(seq) FROM provider_remote_exports WHERE export_id = ?')
            .pluck()
            .get(row.export_id) as number | null) ?? 0) + 1;
        const full = { ...row, seq };
        db.prepare(
          `INSERT INTO provider_remote_exports (export_id, seq, provider_id, idempotency_key, request_json,
             remote_id, remote_status, recreated_from, created_at, updated_at)
           VALUES (@export_id, @seq, @provider_id, @idempotency_key, @request_json, @remote_id,
             @remote_status, @recreated_from, @created_at, @updated_at)`,
        ).run(full);
        return full;
      });
    },

    /** Links an expired vendor export forward to the one re-created in its place. */
    setRecreatedAs(exportId: string, remoteId: string, newRemoteId: string): void {
      immediate(db, () =>
        db
          .prepare(
            'UPDATE provider_remote_exports SET recreated_as = ? WHERE export_id = ? AND remote_id = ?',
          )
          .run(newRemoteId, exportId, remoteId),
      );
    },

    setRemote(exportId: string, seq: number, remoteId: string, status: string | null, at: number) {
      immediate(db, () =>
        db
          .prepare(
            'UPDATE provider_remote_exports SET remote_id = ?, remote_status = ?, updated_at = ? WHERE export_id = ? AND seq = ?',
          )
          .run(remoteId, status, at, exportId, seq),
      );
    },
  };
}

export type ProvidersRepo = ReturnType<typeof createProvidersRepo>;
