// A schedule row seen from outside: its settings, its API object, one run's export request.
import type { Export, ExportCreate } from '../../../shared/schemas/exports.ts';
import type { Schedule } from '../../../shared/schemas/schedules.ts';
import { iso, isoOrNull } from '../clock.ts';
import type { ScheduleSettings } from './schedule-input.ts';
import type { ScheduleRow } from './schedules-repo.ts';
import { slugify } from '../storage/files.ts';
import { aboveMark } from './high-water.ts';
import { markOf } from './run-view.ts';
import { runCopyName } from './stable-file.ts';
import { extensionOf, renderFilename } from './template.ts';
import { nextSlot } from './timing.ts';

export function settingsOf(r: ScheduleRow): ScheduleSettings {
  return {
    name: r.name,
    request: JSON.parse(r.request_json) as ExportCreate,
    cron: r.cron,
    timezone: r.timezone,
    every_seconds: r.every_seconds,
    keep_fresh: r.keep_fresh === 1,
    keep_fresh_margin_seconds: r.keep_fresh_margin_seconds,
    retain: r.retain,
    destination: r.destination_json
      ? (JSON.parse(r.destination_json) as ScheduleSettings['destination'])
      : null,
    filename_template: r.filename_template,
    enabled: r.enabled === 1,
    changes_key: r.changes_key,
    incremental_column: r.incremental_column,
  };
}

export function settingsFields(s: ScheduleSettings) {
  return {
    name: s.name,
    request_json: JSON.stringify(s.request),
    cron: s.cron,
    timezone: s.timezone,
    every_seconds: s.every_seconds,
    keep_fresh: s.keep_fresh ? 1 : 0,
    keep_fresh_margin_seconds: s.keep_fresh_margin_seconds,
    retain: s.retain,
    destination_json: s.destination ? JSON.stringify(s.destination) : null,
    filename_template: s.filename_template,
    enabled: s.enabled ? 1 : 0,
    changes_key: s.changes_key,
    incremental_column: s.incremental_column,
  };
}

/**
 * When keep-fresh re-creates `latest`: `margin` before it expires. A margin as long as the export's
 * whole life would re-create it the moment it completes, again and again; then it is re-created at
 * half its life instead. No usable latest export (none yet, expired, gone): at once.
 */
export function freshDueAt(s: ScheduleSettings, latest: Export | null, now: number): number | null {
  if (!s.keep_fresh) return null;
  if (!latest || latest.status !== 'completed' || !latest.completed_at) return now;
  if (!latest.expires_at) return null;
  const expires = Date.parse(latest.expires_at);
  const done = Date.parse(latest.completed_at);
  return Math.floor(
    Math.max(expires - s.keep_fresh_margin_seconds * 1000, done + (expires - done) / 2),
  );
}

export function scheduleView(r: ScheduleRow, latest: Export | null): Schedule {
  const s = settingsOf(r);
  const lastError = r.last_error_json
    ? (JSON.parse(r.last_error_json) as { code: string; message: string; at: number })
    : null;
  const last_error = lastError
    ? { code: lastError.code, message: lastError.message, at: iso(lastError.at) }
    : null;
  return {
    id: r.id,
    name: r.name,
    request: s.request as Record<string, unknown>,
    cron: r.cron,
    timezone: r.timezone,
    every_seconds: r.every_seconds,
    keep_fresh: s.keep_fresh,
    keep_fresh_margin_seconds: r.keep_fresh_margin_seconds,
    retain: r.retain,
    destination: s.destination as Record<string, unknown> | null,
    filename_template: r.filename_template,
    enabled: s.enabled,
    changes_key: r.changes_key,
    incremental_column: r.incremental_column,
    high_water_mark: markOf(r.high_water_json),
    // The moment something next starts: the slot, a keep-fresh re-creation or a backed-off retry.
    next_run_at: !s.enabled
      ? null
      : isoOrNull(r.running_export_id !== null ? r.next_run_at : r.due_at),
    last_run_at: isoOrNull(r.last_run_at),
    latest_export: latest,
    last_error,
    consecutive_failures: r.consecutive_failures,
    running_export_id: r.running_export_id,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/**
 * The request one run sends: the schedule's name, and with a folder the run's own copy
 * `<name>.<n>.<ext>` beside the stable `<name>.<ext>` that the schedule replaces when it completes.
 */
export function runRequest(
  scheduleName: string,
  s: ScheduleSettings,
  n: number,
  now: number,
  sinceJson: string | null = null,
): ExportCreate {
  const req: ExportCreate = { ...s.request, name: s.request.name ?? s.name };
  const since = markOf(sinceJson);
  // An incremental run: only the rows above the mark the last completed run reached.
  if (s.incremental_column && since !== null)
    req.filter = {
      ...req.filter,
      where: [...(req.filter?.where ?? []), aboveMark(s.incremental_column, since)],
    };
  const dest = s.destination ?? s.request.destination ?? null;
  if (dest) {
    const decompress = dest.decompress ?? false;
    const values = {
      name: req.name!,
      schedule: scheduleName,
      at: now,
      timezone: s.timezone,
      n,
      format: req.format ?? 'csv',
      compression: req.compression ?? 'gzip',
      decompress,
    };
    const ext = extensionOf(values);
    const stable = s.filename_template
      ? renderFilename(s.filename_template, values)
      : (dest.filename ?? slugify(req.name!) + ext);
    req.destination = { dir: dest.dir, decompress, filename: runCopyName(stable, n, ext) };
  }
  return req;
}

/**
 * A new schedule's row. `first_run: 'now'` runs at once; 'after_interval' (the default) waits for
 * the first slot, and keep-fresh starts with the first run's file (it has nothing to keep before).
 */
export function newScheduleRow(
  id: string,
  s: ScheduleSettings,
  now: number,
  firstRun: 'now' | 'after_interval' = 'after_interval',
): ScheduleRow {
  return {
    id,
    ...settingsFields(s),
    next_run_at: !s.enabled ? null : firstRun === 'now' ? now : nextSlot(s, null, now),
    fresh_due_at: null,
    retry_at: null,
    due_at: null,
    running_export_id: null,
    running_kind: null,
    latest_export_id: null,
    last_run_at: null,
    last_error_json: null,
    consecutive_failures: 0,
    run_count: 0,
    created_at: now,
    updated_at: now,
    high_water_json: null,
  };
}
