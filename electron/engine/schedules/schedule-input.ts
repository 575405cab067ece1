// Validates schedule bodies (create and patch) into the row's settings, with errors naming the field.
import { isAbsolute } from 'node:path';
import { ApiError } from '../../../shared/errors.ts';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import type { DestinationRequest, ExportCreate } from '../../../shared/schemas/exports.ts';
import type { ScheduleCreate, ScheduleUpdate } from '../../../shared/schemas/schedules.ts';
import { compileQuery, type QueryShape } from '../datasets/filter-sql.ts';
import { markTypes } from './high-water.ts';
import { checkTemplate } from './template.ts';
import { checkCron, checkTimeZone, systemTimeZone } from './timing.ts';

export const DEFAULT_MARGIN_SECONDS = 3600;

/** The settings a user chooses; everything else on the row is the loop's own state. */
export interface ScheduleSettings {
  readonly name: string;
  readonly request: ExportCreate;
  readonly cron: string | null;
  readonly timezone: string;
  readonly every_seconds: number | null;
  readonly keep_fresh: boolean;
  readonly keep_fresh_margin_seconds: number;
  readonly retain: number | null;
  readonly destination: DestinationRequest | null;
  readonly filename_template: string | null;
  readonly enabled: boolean;
  /** The column matching rows between runs; null: chosen from the file's columns. */
  readonly changes_key: string | null;
  /** Only rows since the last run: the column whose high-water mark each run starts above. */
  readonly incremental_column: string | null;
}

/**
 * Checks a request the way POST /v1/exports would (dataset, columns, provider), before any run;
 * returns the columns a run's file will hold when it knows them (a local dataset's).
 */
export type RequestValidator = (request: ExportCreate) => readonly DatasetColumn[] | void;

const invalid = (field: string, message: string) =>
  new ApiError('INVALID_REQUEST', message, { field });

function checkInteger(field: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw invalid(field, `${field} must be a whole number from ${min} to ${max}.`);
}

function checkRequest(
  request: unknown,
  validate: RequestValidator | undefined,
): { request: ExportCreate; columns: readonly DatasetColumn[] | null } {
  if (!request || typeof request !== 'object' || Array.isArray(request))
    throw invalid(
      'request',
      'request must be an export request: { "dataset": ... } or { "provider": ... }.',
    );
  const r = request as ExportCreate;
  const hasDataset = typeof r.dataset === 'string' && r.dataset.length > 0;
  const hasProvider = typeof r.provider === 'string' && r.provider.length > 0;
  if (!hasDataset && !hasProvider)
    throw invalid(
      'request',
      'request needs a "dataset" (a local export) or a "provider" (a vendor export).',
    );
  if (hasDataset && hasProvider)
    throw invalid('request', 'request takes one of "dataset" or "provider", not both.');
  if (r.destination && !isAbsolute(r.destination.dir))
    throw invalid(
      'request.destination.dir',
      `request.destination.dir must be an absolute path, not "${r.destination.dir}".`,
    );
  let columns: readonly DatasetColumn[] | null = null;
  if (validate) {
    try {
      columns = validate(r) ?? null;
    } catch (err) {
      if (err instanceof ApiError)
        throw new ApiError('INVALID_REQUEST', `request: ${err.message}`, {
          ...err.details,
          field: 'request',
        });
      throw err;
    }
  }
  return { request: r, columns };
}

/** The key and the incremental column must be columns each run's file holds. */
function checkColumnChoices(s: ScheduleSettings, columns: readonly DatasetColumn[] | null): void {
  const names = () => columns!.map((c) => c.name).join(', ');
  if (s.changes_key !== null && columns && !columns.some((c) => c.name === s.changes_key))
    throw new ApiError(
      'INVALID_REQUEST',
      `changes_key "${s.changes_key}" is not a column of the export (${names()}).`,
      { field: 'changes_key', column: s.changes_key },
    );
  const col = s.incremental_column;
  if (col === null) return;
  if (!s.request.dataset)
    throw invalid(
      'incremental_column',
      'incremental_column needs a local dataset export (request.dataset): vendor exports have no rows to count from.',
    );
  if (s.keep_fresh)
    throw invalid(
      'incremental_column',
      'incremental_column and keep_fresh do not go together: each incremental run holds different rows, so there is no one file to keep fresh.',
    );
  if (!columns) return;
  const c = columns.find((x) => x.name === col);
  if (!c)
    throw new ApiError(
      'INVALID_REQUEST',
      `incremental_column "${col}" is not a column of the export (${names()}).`,
      { field: 'incremental_column', column: col },
    );
  if (!(markTypes as readonly string[]).includes(c.type))
    throw new ApiError(
      'INVALID_REQUEST',
      `incremental_column "${col}" is ${c.type}; it must be a growing id or a time (integer, real or timestamp).`,
      { field: 'incremental_column', column: col, type: c.type },
    );
}

/** Validates a complete set of settings; `now` proves the cron fires again. */
export function checkSettings(
  s: ScheduleSettings,
  now: number,
  validate?: RequestValidator,
): ScheduleSettings {
  if (typeof s.name !== 'string' || s.name.trim() === '')
    throw invalid('name', 'name is required.');
  const { request, columns } = checkRequest(s.request, validate);
  const timezone = checkTimeZone(s.timezone);
  if (s.cron !== null && s.every_seconds !== null)
    throw invalid('cron', 'Give either "cron" or "every_seconds", not both.');
  if (s.cron === null && s.every_seconds === null)
    throw invalid(
      'cron',
      'Give "cron" (with a "timezone") or "every_seconds": when should it run?',
    );
  if (s.cron !== null) checkCron(s.cron, timezone, now);
  if (s.every_seconds !== null) checkInteger('every_seconds', s.every_seconds, 1, 366 * 86400);
  checkInteger('keep_fresh_margin_seconds', s.keep_fresh_margin_seconds, 0, 30 * 86400);
  if (s.retain !== null) checkInteger('retain', s.retain, 1, 10000);
  if (s.destination && !isAbsolute(s.destination.dir))
    throw invalid(
      'destination.dir',
      `destination.dir must be an absolute path, not "${s.destination.dir}".`,
    );
  if (s.filename_template !== null) {
    checkTemplate(s.filename_template);
    if (!s.destination && !request.destination)
      throw invalid(
        'filename_template',
        'filename_template needs a destination folder to name files in.',
      );
  }
  checkColumnChoices({ ...s, request }, columns);
  return { ...s, request, timezone };
}

export function settingsFromCreate(
  body: ScheduleCreate,
  now: number,
  validate?: RequestValidator,
): ScheduleSettings {
  return checkSettings(
    {
      name: body.name,
      request: body.request,
      cron: body.cron ?? null,
      timezone: body.timezone ?? systemTimeZone(),
      every_seconds: body.every_seconds ?? null,
      keep_fresh: body.keep_fresh ?? false,
      keep_fresh_margin_seconds: body.keep_fresh_margin_seconds ?? DEFAULT_MARGIN_SECONDS,
      retain: body.retain ?? null,
      destination: body.destination ?? null,
      filename_template: body.filename_template ?? null,
      enabled: body.enabled ?? true,
      changes_key: body.changes_key ?? null,
      incremental_column: body.incremental_column ?? null,
    },
    now,
    validate,
  );
}

/**
 * Applies a patch. Switching the kind of timetable is one field: a patch with only `cron` drops
 * the interval and the other way round; a patch naming both non-null is refused as on create.
 */
export function settingsFromPatch(
  cur: ScheduleSettings,
  patch: ScheduleUpdate,
  now: number,
  validate?: RequestValidator,
): ScheduleSettings {
  const has = (k: keyof ScheduleUpdate) => Object.hasOwn(patch, k) && patch[k] !== undefined;
  let cron = cur.cron;
  let every = cur.every_seconds;
  if (has('cron')) {
    cron = patch.cron ?? null;
    if (cron !== null && !has('every_seconds')) every = null;
  }
  if (has('every_seconds')) {
    every = patch.every_seconds ?? null;
    if (every !== null && !has('cron')) cron = null;
  }
  return checkSettings(
    {
      name: patch.name ?? cur.name,
      request: has('request') ? patch.request! : cur.request,
      cron,
      timezone: has('timezone') ? (patch.timezone ?? systemTimeZone()) : cur.timezone,
      every_seconds: every,
      keep_fresh: patch.keep_fresh ?? cur.keep_fresh,
      keep_fresh_margin_seconds: patch.keep_fresh_margin_seconds ?? cur.keep_fresh_margin_seconds,
      retain: has('retain') ? (patch.retain ?? null) : cur.retain,
      destination: has('destination') ? (patch.destination ?? null) : cur.destination,
      filename_template: has('filename_template')
        ? (patch.filename_template ?? null)
        : cur.filename_template,
      enabled: patch.enabled ?? cur.enabled,
      changes_key: has('changes_key') ? (patch.changes_key ?? null) : cur.changes_key,
      incremental_column: has('incremental_column')
        ? (patch.incremental_column ?? null)
        : cur.incremental_column,
    },
    now,
    validate,
  );
}

/** Checks a dataset request's dataset, columns and filter as the exports service will at each run. */
export function datasetRequestValidator(datasets: {
  describe(name: string): QueryShape;
}): RequestValidator {
  return (request) => {
    if (request.dataset === undefined) return;
    return compileQuery(datasets.describe(request.dataset), {
      columns: request.columns ?? null,
      filter: request.filter ?? null,
    }).columns;
  };
}
