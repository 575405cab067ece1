// An export's timeline in SQLite: the recovery steps in words, with times, oldest first.
import { iso } from '../clock.ts';
import type { TimelineEntry, TimelineKind } from '../../../shared/schemas/exports.ts';
import type { StoreDb } from '../store/store-db.ts';

/** Enough for every refresh and re-creation an export can go through; older lines are dropped. */
const MAX_LINES = 200;

export function createTimelineRepo(db: StoreDb) {
  // CAST(? AS TEXT): compiled once, not on every call (docs/architecture.md, "Statements compiled
  // once").
  const listRows = db.prepare(
    'SELECT at, kind, text FROM export_timeline WHERE export_id = CAST(? AS TEXT) ORDER BY seq',
  );
  const insert = db.prepare(
    'INSERT INTO export_timeline (export_id, seq, at, kind, text) VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM export_timeline WHERE export_id = CAST(? AS TEXT)), ?, ?, ?)',
  );
  const trim = db.prepare(
    'DELETE FROM export_timeline WHERE export_id = CAST(? AS TEXT) AND seq <= (SELECT max(seq) FROM export_timeline WHERE export_id = CAST(? AS TEXT)) - ?',
  );
  const listMany = (n: number) =>
    db.prepare<string[], { export_id: string; at: number; kind: TimelineKind; text: string }>(
      `SELECT export_id, at, kind, text FROM export_timeline WHERE export_id IN (${Array<string>(n).fill('?').join(', ')}) ORDER BY export_id, seq`,
    );
  const many = new Map<number, ReturnType<typeof listMany>>();
  return {
    /** The timelines of several exports (oldest line first within each), one statement. */
    listMany(exportIds: readonly string[]): { export_id: string; entry: TimelineEntry }[] {
      let stmt = many.get(exportIds.length);
      if (!stmt) many.set(exportIds.length, (stmt = listMany(exportIds.length)));
      return stmt.all(...exportIds).map((r) => ({
        export_id: r.export_id,
        entry: { at: iso(r.at), kind: r.kind, text: r.text },
      }));
    },
    list: (exportId: string): TimelineEntry[] =>
      (listRows.all(exportId) as { at: number; kind: TimelineKind; text: string }[]).map((r) => ({
        at: iso(r.at),
        kind: r.kind,
        text: r.text,
      })),
    add(exportId: string, kind: TimelineKind, text: string, at: number): void {
      insert.run(exportId, exportId, at, kind, text.slice(0, 2000));
      trim.run(exportId, exportId, MAX_LINES);
    },
  };
}
