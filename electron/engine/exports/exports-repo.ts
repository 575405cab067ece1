// The exports aggregate in SQLite: rows, status history, files, transitions, cursor pagination.
import { ApiError } from '../../../shared/errors.ts';
import type { Export, ExportStatus, TimelineKind } from '../../../shared/schemas/exports.ts';
import { exportStatuses as exportStatusList } from '../../../shared/vocabulary.ts';
import { iso } from '../clock.ts';
import type { Db } from '../store/db.ts';
import { immediate } from '../store/db.ts';
import { exportShape } from './export-shape.ts';
import { countsQuery, listQuery, type ListFilter } from './list-query.ts';
import { clockTime } from '../jobs/job-types.ts';
import { createTimelineRepo } from './timeline-repo.ts';

export { countsQuery, listQuery, listSorts, type ListFilter, type ListSort } from './list-query.ts';

export interface ExportRow {
  id: string;
  name: string;
  status: ExportStatus;
  source_type: 'dataset' | 'provider';
  dataset: string | null;
  provider_id: string | null;
  provider_type: string | null;
  remote_id: string | null;
  remote_status: string | null;
  request_json: string;
  format: string;
  compression: string;
  compression_level: number;
  columns_json: string | null;
  filter_json: string | null;
  params_json: string | null;
  progress_pct: number;
  progress_stage: string | null;
  rows_done: number;
  bytes_done: number;
  bytes_total: number | null;
  row_count: number | null;
  byte_size: number | null;
  error_json: string | null;
  recreated_from: string | null;
  recreated_as?: string | null;
  schedule_id: string | null;
  destination_json: string | null;
  saved_paths_json: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  expires_at: number | null;
  updated_at: number;
}

export interface FileRow {
  export_id: string;
  idx: number;
  filename: string;
  byte_size: number;
  sha256: string;
  row_count: number | null;
}

/**
 * Allowed status changes. processing -> pending is not here: only requeue() makes it, for crash
 * recovery and a clean shutdown, so no other code path can put a running job back in the queue.
 */
const transitions: Record<ExportStatus, readonly ExportStatus[]> = {
  pending: ['processing', 'canceled', 'failed'],
  processing: ['completed', 'failed', 'canceled'],
  completed: ['expired'],
  failed: [],
  canceled: [],
  expired: [],
};

export const canTransition = (from: ExportStatus, to: ExportStatus): boolean =>
  transitions[from].includes(to);

/** Statuses an export never leaves (completed only leaves for expired, by retention). */
export const isFinal = (s: ExportStatus): boolean =>
  transitions[s].length === 0 || s === 'completed';

export function createExportsRepo(db: Db) {
  const getRow = db.prepare('SELECT * FROM exports WHERE id = ?');
  const filesOf = db.prepare('SELECT * FROM export_files WHERE export_id = ? ORDER BY idx');
  const historyOf = db.prepare(
    'SELECT status, at FROM export_history WHERE export_id = ? ORDER BY seq',
  );
  const addHistory = db.prepare(
    'INSERT INTO export_history (export_id, seq, status, at) VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM export_history WHERE export_id = ?), ?, ?)',
  );

  // Files and history change only through this repo, so the API shape's two child lists are cached
  // per export and dropped on every write that touches them: a poll costs one indexed row read.
  type Details = Pick<Export, 'files' | 'history' | 'timeline'>;
  const timeline = createTimelineRepo(db);
  const details = new Map<string, Details>();
  const DETAILS_MAX = 2000;
  // Rows too, so GET /v1/exports/{id} under load reads no SQLite at all; the API shape is memoised per
  // row object. Bounded; an evicted entry is simply read again.
  const rows = new Map<string, ExportRow>();
  const shapes = new WeakMap<ExportRow, Export>();
  const forget = (id: string) => {
    details.delete(id);
    rows.delete(id);
  };
  function detailsOf(id: string): Details {
    const hit = details.get(id);
    if (hit) return hit;
    const d: Details = {
      files: files(id).map((f) => ({
        filename: f.filename,
        byte_size: f.byte_size,
        sha256: f.sha256,
        row_count: f.row_count,
      })),
      history: (historyOf.all(id) as { status: ExportStatus; at: number }[]).map((h) => ({
        status: h.status,
        at: iso(h.at),
      })),
      timeline: timeline.list(id),
    };
    if (db.inTransaction) return d;
    if (details.size >= DETAILS_MAX) details.delete(details.keys().next().value as string);
    details.set(id, d);
    return d;
  }

  function read(id: string): ExportRow | null {
    return (getRow.get(id) as ExportRow | undefined) ?? null;
  }

  function get(id: string): ExportRow | null {
    const hit = rows.get(id);
    if (hit) return hit;
    const row = read(id);
    // Never cache what an open transaction sees: it may still roll back.
    if (row && !db.inTransaction) {
      if (rows.size >= DETAILS_MAX) rows.delete(rows.keys().next().value as string);
      rows.set(id, row);
    }
    return row;
  }

  function mustGet(id: string): ExportRow {
    const row = get(id);
    if (!row) throw new ApiError('NOT_FOUND', `No export with id ${id}.`);
    return row;
  }

  function insert(row: ExportRow): void {
    const cols = Object.keys(row);
    const stmt = db.prepare(
      `INSERT INTO exports (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`,
    );
    stmt.run(row);
    forget(row.id);
    addHistory.run(row.id, row.id, row.status, row.created_at);
    if (row.recreated_from && get(row.recreated_from)) linkRecreated(row, row.created_at);
  }

  function move(
    id: string,
    allowed: (from: ExportStatus) => boolean,
    to: ExportStatus,
    at: number,
    fields: Partial<ExportRow>,
  ): boolean {
    // Forgotten after the transaction too: a read inside it must not outlive a rollback.
    forget(id);
    try {
      return immediate(db, () => {
        const row = read(id);
        if (!row || !allowed(row.status)) return false;
        const set = { ...fields, status: to, updated_at: at };
        const keys = Object.keys(set);
        db.prepare(
          `UPDATE exports SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`,
        ).run({ ...set, id });
        forget(id);
        addHistory.run(id, id, to, at);
        return true;
      });
    } finally {
      forget(id);
    }
  }

  /** Moves an export to `to` if the machine allows it from its current status; returns false if not. */
  function transition(
    id: string,
    to: ExportStatus,
    at: number,
    fields: Partial<ExportRow> = {},
  ): boolean {
    return move(id, (from) => canTransition(from, to), to, at, fields);
  }

  /** processing -> pending: a job whose process died (recovery) or was shut down cleanly. */
  function requeue(id: string, at: number, fields: Partial<ExportRow> = {}): boolean {
    return move(id, (from) => from === 'processing', 'pending', at, fields);
  }

  /** Updates fields without a status change (progress, remote id, lease). */
  function patch(id: string, fields: Partial<ExportRow>): void {
    const keys = Object.keys(fields);
    if (keys.length === 0) return;
    try {
      immediate(db, () =>
        db
          .prepare(
            `UPDATE exports SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`,
          )
          .run({ ...fields, id }),
      );
    } finally {
      forget(id);
    }
  }

  /** Extends the leases of the jobs this process runs; a job that is not ours is left alone. */
  function renewLeases(ids: readonly string[], owner: string, until: number): void {
    if (ids.length === 0) return;
    const stmt = db.prepare(
      "UPDATE exports SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND status = 'processing'",
    );
    try {
      immediate(db, () => {
        for (const id of ids) stmt.run(until, id, owner);
      });
    } finally {
      for (const id of ids) forget(id);
    }
  }

  function setFiles(id: string, files: Omit<FileRow, 'export_id' | 'idx'>[]): void {
    const ins = db.prepare(
      'INSERT INTO export_files (export_id, idx, filename, byte_size, sha256, row_count) VALUES (?, ?, ?, ?, ?, ?)',
    );
    db.prepare('DELETE FROM export_files WHERE export_id = ?').run(id);
    files.forEach((f, i) => ins.run(id, i, f.filename, f.byte_size, f.sha256, f.row_count));
    forget(id);
  }

  function files(id: string): FileRow[] {
    return filesOf.all(id) as FileRow[];
  }

  function list(f: ListFilter): ExportRow[] {
    const { sql, params } = listQuery(f);
    return db.prepare(sql).all(params) as ExportRow[];
  }

  function counts(f: Parameters<typeof countsQuery>[0]): Record<ExportStatus, number> {
    const { sql, params } = countsQuery(f);
    const out = Object.fromEntries(exportStatusList.map((st) => [st, 0])) as Record<
      ExportStatus,
      number
    >;
    for (const r of db.prepare(sql).all(params) as { status: ExportStatus; n: number }[])
      out[r.status] = r.n;
    return out;
  }

  function remove(id: string): void {
    try {
      immediate(db, () => db.prepare('DELETE FROM exports WHERE id = ?').run(id));
    } finally {
      forget(id);
    }
  }

  function byStatus(status: ExportStatus): ExportRow[] {
    return db
      .prepare('SELECT * FROM exports WHERE status = ? ORDER BY created_at, id')
      .all(status) as ExportRow[];
  }

  function dueForExpiry(now: number): ExportRow[] {
    return db
      .prepare("SELECT * FROM exports WHERE status = 'completed' AND expires_at <= ?")
      .all(now) as ExportRow[];
  }

  function nextExpiry(): number | null {
    return (
      (db
        .prepare("SELECT min(expires_at) FROM exports WHERE status = 'completed'")
        .pluck()
        .get() as number | null) ?? null
    );
  }

  /** The API shape (a fresh top-level object: callers add the link), memoised per row object. */
  function toExport(row: ExportRow): Export {
    let shape = shapes.get(row);
    if (!shape) {
      shape = exportShape(row, detailsOf(row.id));
      shapes.set(row, shape);
    }
    return { ...shape };
  }

  /** Adds a step to the export's timeline (the next read shows it). */
  function note(id: string, kind: TimelineKind, text: string, at: number): void {
    timeline.add(id, kind, text, at);
    forget(id);
  }

  /** A re-creation links back: the export it replaces names it, in its row and its timeline. */
  function linkRecreated(row: ExportRow, at: number): void {
    const old = row.recreated_from!;
    patch(old, { recreated_as: row.id });
    note(old, 'recreated_as', `Re-created as ${row.id} at ${clockTime(at)}.`, at);
  }

  return {
    note,
    get,
    mustGet,
    insert,
    transition,
    requeue,
    renewLeases,
    patch,
    setFiles,
    files,
    list,
    counts,
    remove,
    byStatus,
    dueForExpiry,
    nextExpiry,
    toExport,
  };
}

export type ExportsRepo = ReturnType<typeof createExportsRepo>;
