// Migration 120 keeps an export's request once (request_json): a store written before it, with
// the per-part copies, upgrades without losing a part, and its exports read back the same.
import { sqliteStore } from '../../../electron/engine/store/store-db.ts';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { exportShape } from '../../../electron/engine/exports/export-shape.ts';
import { createExportsRepo } from '../../../electron/engine/exports/exports-repo.ts';
import { migrate, schemaVersion } from '../../../electron/engine/store/db.ts';
import { migrations } from '../../../electron/engine/store/migrations/index.ts';

const before = migrations.filter((m) => m.version < 120);
const at = Date.parse('2026-03-01T12:00:00Z');

/** A row as the engine wrote it before migration 120: the request, and each part again. */
function insertOld(
  db: Database.Database,
  id: string,
  request: Record<string, unknown>,
  parts: { columns?: unknown; filter?: unknown; params?: unknown; destination?: unknown },
) {
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  db.prepare(
    `INSERT INTO exports (id, name, status, source_type, dataset, provider_id, provider_type,
       request_json, format, compression, compression_level, columns_json, filter_json,
       params_json, destination_json, created_at, updated_at)
     VALUES (@id, 'old', 'completed', @source, @dataset, @provider, @ptype, @request, 'csv', 'gzip',
       6, @columns, @filter, @params, @destination, @at, @at)`,
  ).run({
    id,
    source: request.provider ? 'provider' : 'dataset',
    dataset: (request.dataset as string | undefined) ?? null,
    provider: (request.provider as string | undefined) ?? null,
    ptype: request.provider ? 'acme' : null,
    request: JSON.stringify(request),
    columns: json(parts.columns),
    filter: json(parts.filter),
    params: json(parts.params),
    destination: json(parts.destination),
    at,
  });
}

const ids = {
  same: '0190a000-0000-7000-8000-000000000001',
  partsOnly: '0190a000-0000-7000-8000-000000000002',
  provider: '0190a000-0000-7000-8000-000000000003',
  plain: '0190a000-0000-7000-8000-000000000004',
};

describe('migration 120: one stored request per export', () => {
  it('drops the per-part columns and carries every part into request_json', () => {
    const db = new Database(':memory:');
    migrate(db, before);
    const columns = ['id', 'email'];
    const filter = { country: { eq: 'DE' } };
    const destination = { dir: '/home/me/exports', decompress: true, filename: 'leads.csv' };
    // The usual row: request and parts agree.
    insertOld(
      db,
      ids.same,
      { dataset: 'leads', columns, filter, destination },
      { columns, filter, destination },
    );
    // A row whose request lacks parts only its columns hold: they must not be lost.
    insertOld(db, ids.partsOnly, { dataset: 'leads' }, { columns, filter, destination });
    insertOld(
      db,
      ids.provider,
      { provider: 'p1', params: { report: 'daily' } },
      { params: { report: 'daily' }, destination: { dir: '/tmp/out' } },
    );
    insertOld(db, ids.plain, { dataset: 'leads', columns: null }, {});

    migrate(db);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    const cols = (db.prepare('PRAGMA table_info(exports)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    expect(cols).toContain('request_json');
    for (const gone of ['columns_json', 'filter_json', 'params_json', 'destination_json'])
      expect(cols).not.toContain(gone);

    const repo = createExportsRepo(sqliteStore(db));
    const view = (id: string) =>
      exportShape(repo.get(id)!, { files: [], history: [], timeline: [] });
    for (const id of [ids.same, ids.partsOnly]) {
      const e = view(id);
      expect(e.columns).toEqual(columns);
      expect(e.filter).toEqual(filter);
      expect(e.destination).toEqual({ ...destination, saved_paths: [] });
    }
    expect(JSON.parse(repo.get(ids.partsOnly)!.request_json)).toEqual({
      dataset: 'leads',
      columns,
      filter,
      destination,
    });
    const p = view(ids.provider);
    expect(p.params).toEqual({ report: 'daily' });
    expect(p.destination).toEqual({ dir: '/tmp/out', decompress: false, saved_paths: [] });
    const plain = view(ids.plain);
    expect([plain.columns, plain.filter, plain.params, plain.destination]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(repo.get(ids.plain)!.request_json).toBe('{"dataset":"leads","columns":null}');
    db.close();
  });
});
