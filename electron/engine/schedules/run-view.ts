// One schedule run as the API shows it.
import type { ScheduleRun } from '../../../shared/schemas/schedules.ts';
import { iso, isoOrNull } from '../clock.ts';
import type { RunRow } from './runs-repo.ts';

/** A stored high-water mark (JSON) as the API shows it. */
export const markOf = (json: string | null): number | string | null =>
  json === null ? null : (JSON.parse(json) as number | string | null);

export function runView(r: RunRow): ScheduleRun {
  const error = r.error_json
    ? (JSON.parse(r.error_json) as { code: string; message: string })
    : null;
  return {
    number: r.number,
    trigger: r.trigger,
    status: r.status,
    export_id: r.export_id,
    started_at: iso(r.started_at),
    ended_at: isoOrNull(r.ended_at),
    rows: r.rows,
    bytes: r.bytes,
    saved_path: r.saved_path,
    stable_path: r.stable_path,
    error: error ? { code: error.code, message: error.message } : null,
    file_removed: r.file_removed,
    changes: r.changes_json
      ? ({
          since: null,
          reason: null,
          ...(JSON.parse(r.changes_json) as object),
        } as ScheduleRun['changes'])
      : null,
    since_mark: markOf(r.since_json),
    high_water_mark: markOf(r.high_water_json),
  };
}
