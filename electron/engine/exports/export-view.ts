// An export as the API shows it: its row, files, status history and timeline (export-shape.ts).
// The child lists are cached per export and dropped on every write that may touch them; the shape
// is memoised per row object, so an unchanged export is shaped once.
import type { Export } from '../../../shared/schemas/exports.ts';
import { iso } from '../clock.ts';
import { isShared, type StoreDb } from '../store/store-db.ts';
import { boundedCache, EXPORTS_CACHED } from './exports-cache.ts';
import { exportShape } from './export-shape.ts';
import type { ExportRow, ExportsTable } from './exports-table.ts';
import type { createTimelineRepo } from './timeline-repo.ts';

type Details = Pick<Export, 'files' | 'history' | 'timeline'>;

export function createExportView(
  db: StoreDb,
  table: ExportsTable,
  timeline: ReturnType<typeof createTimelineRepo>,
) {
  const details = boundedCache<Details>(isShared(db) ? 0 : EXPORTS_CACHED);
  const shapes = new WeakMap<ExportRow, Export>();

  function detailsOf(id: string): Details {
    const hit = details.get(id);
    if (hit) return hit;
    const d: Details = {
      files: table.files(id).map((f) => ({
        filename: f.filename,
        byte_size: f.byte_size,
        sha256: f.sha256,
        row_count: f.row_count,
      })),
      history: table.history(id).map((h) => ({ status: h.status, at: iso(h.at) })),
      timeline: timeline.list(id),
    };
    // Never cache what an open transaction sees: it may still roll back.
    if (!db.inTransaction) details.set(id, d);
    return d;
  }

  return {
    /** The API shape (a fresh top-level object: callers add the link), memoised per row object. */
    toExport(row: ExportRow): Export {
      let shape = shapes.get(row);
      if (!shape) {
        shape = exportShape(row, detailsOf(row.id));
        shapes.set(row, shape);
      }
      return { ...shape };
    },
    /** The export's files, history or timeline may have changed. */
    forget: (id: string) => details.delete(id),
  };
}

export type ExportView = ReturnType<typeof createExportView>;
