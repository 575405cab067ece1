// `retain: N`: keeps a schedule's N newest completed runs; older ones go with their files and copies.
import { isAbsolute } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Export, ExportStatus } from '../../../shared/schemas/exports.ts';
import type { Logger } from '../logger.ts';
import type { ExportsPort } from './exports-port.ts';

function listAll(exports: ExportsPort, scheduleId: string, status: ExportStatus): Export[] {
  const out: Export[] = [];
  let cursor: string | undefined;
  do {
    const page = exports.list({
      schedule_id: scheduleId,
      status,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

const doneAt = (e: Export) => Date.parse(e.completed_at ?? e.created_at);

/**
 * Runs that completed and later expired still count: their copies sit in the destination folder,
 * and "retain 2 leaves two files" is what the user sees there.
 */
export function completedRuns(exports: ExportsPort, scheduleId: string): Export[] {
  return [
    ...listAll(exports, scheduleId, 'completed'),
    ...listAll(exports, scheduleId, 'expired'),
  ].sort((a, b) => doneAt(b) - doneAt(a) || (a.id < b.id ? 1 : -1));
}

/** Deletes the completed runs past the newest `retain`, never one of the `keep` ids. */
export async function pruneRuns(
  exports: ExportsPort,
  logger: Logger,
  scheduleId: string,
  retain: number,
  keep: readonly (string | null)[],
  onRemoved?: (exportId: string) => void,
): Promise<number> {
  let removed = 0;
  for (const exp of completedRuns(exports, scheduleId).slice(retain)) {
    if (keep.includes(exp.id)) continue;
    // The copies first: once the record is gone nothing remembers where they were saved.
    for (const path of exp.destination?.saved_paths ?? []) {
      if (isAbsolute(path)) await rm(path, { force: true });
    }
    onRemoved?.(exp.id);
    try {
      await exports.delete(exp.id);
      removed++;
    } catch (err) {
      // Deleted meanwhile (by the user, or by an overlapping prune): nothing left to do.
      logger.debug('retain: export already gone', { export_id: exp.id, error: err as Error });
    }
  }
  return removed;
}
