// The slice of the exports service that schedules use, so tests can hand in a small real fake.
import type { Export, ExportCreate, ExportStatus } from '../../../shared/schemas/exports.ts';

export interface ExportsPort {
  create(
    body: ExportCreate,
    opts?: {
      scheduleId?: string | null;
      recreatedFrom?: string | null;
      idempotencyKey?: string;
    },
  ): { export: Export; replayed: boolean };
  get(id: string): Export;
  list(q: { schedule_id?: string; status?: ExportStatus; limit?: number; cursor?: string }): {
    items: Export[];
    nextCursor: string | null;
  };
  delete(id: string): Promise<void> | void;
  downloadLocation(id: string, file?: number): string;
  /** The stored file of a completed export; throws when it is gone (expired, deleted). */
  resolveExportFile(id: string): { path: string };
}

/** Statuses after which an export never changes again (expired aside, which only follows completed). */
export const finalStatuses: readonly ExportStatus[] = [
  'completed',
  'failed',
  'canceled',
  'expired',
];
