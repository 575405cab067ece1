// The exports aggregate: the state machine over the exports tables (exports-table.ts), the row
// cache, and progress written in batches (store/write-batch.ts). The API shape is export-view.ts.
import { ApiError } from '../../../shared/errors.ts';
import type { Export, ExportStatus, TimelineKind } from '../../../shared/schemas/exports.ts';
import { isShared, type StoreDb } from '../store/store-db.ts';
import { immediate, type CommitOptions } from '../store/db.ts';
import { writeBatchOf } from '../store/write-batch.ts';
import { clockTime } from '../jobs/job-types.ts';
import { boundedCache, EXPORTS_CACHED } from '../store/bounded-cache.ts';
import { createExportView } from './export-view.ts';
import { createExportsTable, type ExportRow, type FileRow } from './exports-table.ts';
import type { countsQuery, ListFilter } from './list-query.ts';
import { createTimelineRepo } from './timeline-repo.ts';

export { countsQuery, listQuery, listSorts, type ListFilter, type ListSort } from './list-query.ts';
export type { ExportRow, FileRow } from './exports-table.ts';

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

export interface MoveOptions extends CommitOptions {
  /** More writes in the same transaction, made only when the move is allowed. */
  readonly with?: () => void;
}

export function createExportsRepo(db: StoreDb) {
  const table = createExportsTable(db);
  const timeline = createTimelineRepo(db);
  const view = createExportView(db, table, timeline);
  const batch = writeBatchOf(db);
  // Rows, so GET /v1/exports/{id} under load reads no SQLite at all. A row here already shows the
  // progress still queued for the store (`queued`), so every reader sees the newest progress.
  const rows = boundedCache<ExportRow>(isShared(db) ? 0 : EXPORTS_CACHED);
  const queued = new Map<string, Partial<ExportRow>>();
  const forget = (id: string) => {
    rows.delete(id);
    view.forget(id);
  };

  /**
   * Runs a synchronous write in one transaction, after whatever progress is still queued (so a
   * queued write never lands after a later one); what the queue delivers runs after the commit.
   */
  function write<T>(id: string | null, fn: () => T, opts?: CommitOptions): T {
    // Forgotten after the transaction too: a read inside it must not outlive a rollback.
    if (id !== null) forget(id);
    let delivered: () => void = () => undefined;
    try {
      const out = immediate(
        db,
        () => {
          delivered = batch.takeInto();
          return fn();
        },
        opts,
      );
      return out;
    } finally {
      if (id !== null) forget(id);
      delivered();
    }
  }

  function read(id: string): ExportRow | null {
    const row = table.read(id);
    const q = row ? queued.get(id) : undefined;
    return row && q ? { ...row, ...q } : row;
  }

  function get(id: string): ExportRow | null {
    const hit = rows.get(id);
    if (hit) return hit;
    const row = read(id);
    // Never cache what an open transaction sees: it may still roll back.
    if (row && !db.inTransaction) rows.set(id, row);
    return row;
  }

  function mustGet(id: string): ExportRow {
    const row = get(id);
    if (!row) throw new ApiError('NOT_FOUND', `No export with id ${id}.`);
    return row;
  }

  function insert(row: ExportRow): void {
    table.insert(row);
    forget(row.id);
    table.addHistory(row.id, row.status, row.created_at);
    if (row.recreated_from && get(row.recreated_from)) linkRecreated(row, row.created_at);
  }

  function move(
    id: string,
    allowed: (from: ExportRow) => boolean,
    to: ExportStatus,
    at: number,
    fields: Partial<ExportRow>,
    opts: MoveOptions = {},
  ): boolean {
    return write(
      id,
      () => {
        const row = table.read(id);
        if (!row || !allowed(row)) return false;
        opts.with?.();
        table.update(id, { ...fields, status: to, updated_at: at });
        forget(id);
        table.addHistory(id, to, at);
        return true;
      },
      opts,
    );
  }

  /**
   * Moves an export to `to` if the machine allows it from its current status; returns false if
   * not. With `owner`, only while the stored lease is still that one: a process whose attempt was
   * taken over by another (team mode) cannot end the newer attempt.
   */
  function transition(
    id: string,
    to: ExportStatus,
    at: number,
    fields: Partial<ExportRow> = {},
    owner?: string | null,
    opts?: MoveOptions,
  ): boolean {
    const allowed = (row: ExportRow) =>
      canTransition(row.status, to) && (owner === undefined || row.lease_owner === owner);
    return move(id, allowed, to, at, fields, opts);
  }

  /**
   * pending -> processing inside the transaction that inserted the export (the runner starts it in
   * the commit that accepts it, runner.ts `acceptAndStart`). Nothing of a new export can be queued
   * in the write batch yet, so this writes past it, and commits with the caller.
   */
  function startInInsert(id: string, at: number, fields: Partial<ExportRow>): void {
    if (!db.inTransaction) throw new Error('startInInsert runs inside the inserting transaction');
    table.update(id, { ...fields, status: 'processing', updated_at: at });
    table.addHistory(id, 'processing', at);
    forget(id);
  }

  /**
   * processing -> pending: a job whose process died (recovery) or was shut down cleanly. With
   * `owner`, only while the stored lease is still that one.
   */
  function requeue(
    id: string,
    at: number,
    fields: Partial<ExportRow> = {},
    owner?: string | null,
  ): boolean {
    const allowed = (row: ExportRow) =>
      row.status === 'processing' && (owner === undefined || row.lease_owner === owner);
    return move(id, allowed, 'pending', at, fields);
  }

  /** Updates fields without a status change (remote id, lease), stored before this returns. */
  function patch(id: string, fields: Partial<ExportRow>): void {
    if (Object.keys(fields).length === 0) return;
    write(id, () => table.update(id, fields));
  }

  /**
   * A running job's progress: readers see it at once, the store gets it with the next batch (one
   * commit for every export's progress and events of that turn). Losing it in a crash loses only
   * progress: the export runs again from the start.
   */
  function progress(id: string, fields: Partial<ExportRow>): void {
    const current = get(id);
    if (!current) return;
    const prior = queued.get(id);
    queued.set(id, { ...prior, ...fields });
    // A new row object: the view shapes it afresh.
    rows.set(id, { ...current, ...fields });
    if (prior) return;
    batch.defer(() => {
      const q = queued.get(id);
      queued.delete(id);
      if (q) table.update(id, q);
    });
  }

  /** Extends the leases of the jobs this process runs; a job that is not ours is left alone. */
  function renewLeases(ids: readonly string[], owner: string, until: number): void {
    if (ids.length === 0) return;
    try {
      write(null, () => {
        for (const id of ids) table.renewLease(id, owner, until);
      });
    } finally {
      for (const id of ids) forget(id);
    }
  }

  function setFiles(id: string, files: Omit<FileRow, 'export_id' | 'idx'>[]): void {
    table.replaceFiles(id, files);
    forget(id);
  }

  function remove(id: string): void {
    write(id, () => {
      queued.delete(id);
      table.remove(id);
    });
  }

  /** Rows read past the row cache, with the progress still queued for the store. */
  const withQueued = (list: ExportRow[]): ExportRow[] =>
    queued.size === 0
      ? list
      : list.map((r) => {
          const q = queued.get(r.id);
          return q ? { ...r, ...q } : r;
        });

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
    /** The row as stored now, past the cache: another engine process may have changed it. */
    refresh(id: string): ExportRow | null {
      forget(id);
      return get(id);
    },
    mustGet,
    insert,
    startInInsert,
    transition,
    requeue,
    renewLeases,
    patch,
    progress,
    setFiles,
    files: table.files,
    list: (f: ListFilter) => withQueued(table.list(f)),
    counts: (f: Parameters<typeof countsQuery>[0]) => table.counts(f),
    remove,
    byStatus: (status: ExportStatus) => withQueued(table.byStatus(status)),
    /** The oldest pending exports of one source, at most `limit`. */
    pendingOf: (source: ExportRow['source_type'], limit: number) => table.pendingOf(source, limit),
    dueForExpiry: table.dueForExpiry,
    nextExpiry: table.nextExpiry,
    toExport: (row: ExportRow): Export => view.toExport(row),
    toExports: (rows: readonly ExportRow[]): Export[] => view.toExports(rows),
    /** Commits queued progress now (shutdown). */
    flush: () => batch.flush(),
  };
}

export type ExportsRepo = ReturnType<typeof createExportsRepo>;
