// An export as the API shows it: its row, files, status history and timeline (export-shape.ts).
// The child lists are cached per export and dropped on every write that may touch them; the shape
// is memoised per row object, so an unchanged export is shaped once. A page of exports reads its
// child lists a chunk of exports at a time (three statements per chunk, not three per export):
// on PostgreSQL every statement is a round trip, and a list of 200 was 600 of them.
import type { Export } from '../../../shared/schemas/exports.ts';
import { iso } from '../clock.ts';
import { isShared, type StoreDb } from '../store/store-db.ts';
import { boundedCache, EXPORTS_CACHED } from '../store/bounded-cache.ts';
import { exportShape } from './export-shape.ts';
import type { ExportRow, ExportsTable, FileRow } from './exports-table.ts';
import type { ExportStatus } from '../../../shared/schemas/exports.ts';
import type { createTimelineRepo } from './timeline-repo.ts';

type Details = Pick<Export, 'files' | 'history' | 'timeline'>;

/** Exports whose child lists one statement reads (a page of 200 takes 4 × 3 statements). */
export const DETAILS_CHUNK = 50;

const fileOf = (f: FileRow): Export['files'][number] => ({
  filename: f.filename,
  byte_size: f.byte_size,
  sha256: f.sha256,
  row_count: f.row_count,
});
const historyOf = (h: { status: ExportStatus; at: number }): Export['history'][number] => ({
  status: h.status,
  at: iso(h.at),
});
const inList = `(${Array<string>(DETAILS_CHUNK).fill('?').join(', ')})`;

export function createExportView(
  db: StoreDb,
  table: ExportsTable,
  timeline: ReturnType<typeof createTimelineRepo>,
) {
  const details = boundedCache<Details>(isShared(db) ? 0 : EXPORTS_CACHED);
  const shapes = new WeakMap<ExportRow, Export>();
  const manyFiles = db.prepare<string[], FileRow>(
    `SELECT * FROM export_files WHERE export_id IN ${inList} ORDER BY export_id, idx`,
  );
  const manyHistory = db.prepare<string[], { export_id: string; status: ExportStatus; at: number }>(
    `SELECT export_id, status, at FROM export_history WHERE export_id IN ${inList} ORDER BY export_id, seq`,
  );

  function remember(id: string, d: Details): Details {
    // Never cache what an open transaction sees: it may still roll back.
    if (!db.inTransaction) details.set(id, d);
    return d;
  }

  function detailsOf(id: string): Details {
    const hit = details.get(id);
    if (hit) return hit;
    return remember(id, {
      files: table.files(id).map(fileOf),
      history: table.history(id).map(historyOf),
      timeline: timeline.list(id),
    });
  }

  /** Child lists of many exports, DETAILS_CHUNK at a time; ids padded with '' (no export's id). */
  function detailsOfMany(ids: readonly string[]): Map<string, Details> {
    const out = new Map<string, Details>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = details.get(id);
      if (hit) out.set(id, hit);
      else if (!out.has(id)) missing.push(id);
    }
    for (let i = 0; i < missing.length; i += DETAILS_CHUNK) {
      const chunk = missing.slice(i, i + DETAILS_CHUNK);
      const padded = [...chunk, ...Array<string>(DETAILS_CHUNK - chunk.length).fill('')];
      const fresh = new Map<string, Details>(
        chunk.map((id) => [id, { files: [], history: [], timeline: [] }]),
      );
      for (const f of manyFiles.all(...padded)) fresh.get(f.export_id)?.files.push(fileOf(f));
      for (const h of manyHistory.all(...padded))
        fresh.get(h.export_id)?.history.push(historyOf(h));
      for (const t of timeline.listMany(padded)) fresh.get(t.export_id)?.timeline.push(t.entry);
      for (const [id, d] of fresh) out.set(id, remember(id, d));
    }
    return out;
  }

  function shapeOf(row: ExportRow, d: () => Details): Export {
    let shape = shapes.get(row);
    if (!shape) {
      shape = exportShape(row, d());
      shapes.set(row, shape);
    }
    return { ...shape };
  }

  return {
    /** The API shape (a fresh top-level object: callers add the link), memoised per row object. */
    toExport: (row: ExportRow): Export => shapeOf(row, () => detailsOf(row.id)),
    /** toExport of a page of rows, their child lists read together. */
    toExports(rows: readonly ExportRow[]): Export[] {
      const need = rows.filter((r) => !shapes.has(r)).map((r) => r.id);
      const many = need.length > 0 ? detailsOfMany(need) : new Map<string, Details>();
      return rows.map((row) => shapeOf(row, () => many.get(row.id) ?? detailsOf(row.id)));
    },
    /** The export's files, history or timeline may have changed. */
    forget: (id: string) => details.delete(id),
  };
}

export type ExportView = ReturnType<typeof createExportView>;
