// /v1/schedules: CRUD, run now, a preview of next runs, and a latest/download link that stays valid.
import { createReadStream } from 'node:fs';
import { Type } from 'typebox';
import { Envelope, ListEnvelope } from '../../../shared/schemas/common.ts';
import { DownloadQuery } from '../../../shared/schemas/exports.ts';
import {
  Schedule,
  ScheduleCreate,
  SchedulePreview,
  SchedulePreviewQuery,
  ScheduleRun,
  ScheduleRunsQuery,
  ScheduleUpdate,
} from '../../../shared/schemas/schedules.ts';
import { list, ok } from '../envelope.ts';
import type { RouteApp, RouteDeps } from './index.ts';
import { noContent, redirectTo } from '../openapi-responses.ts';

const Params = Type.Object({ id: Type.String({ maxLength: 200 }) });

export function scheduleRoutes(app: RouteApp, { engine }: RouteDeps): void {
  const tags = ['schedules'];
  const schedules = engine.schedules;

  app.get(
    '/v1/schedules',
    {
      schema: {
        tags,
        operationId: 'listSchedules',
        summary: 'Every schedule',
        description: 'Each with its timetable, next and last run, latest export and last error.',
        response: { 200: ListEnvelope(Schedule) },
      },
    },
    async (req) => list(req, schedules.list(), null),
  );

  app.post(
    '/v1/schedules',
    {
      schema: {
        tags,
        operationId: 'createSchedule',
        summary: 'Create a schedule',
        description:
          'Saves an export request (`request`, a createExport body) with a `cron` (and `timezone`) or `every_seconds` timetable.',
        body: ScheduleCreate,
        response: { 201: Envelope(Schedule) },
      },
    },
    async (req, reply) => reply.code(201).send(ok(req, schedules.create(req.body))),
  );

  app.get(
    '/v1/schedules/preview',
    {
      schema: {
        tags,
        operationId: 'previewSchedule',
        summary: 'The next runs of a timetable',
        description: 'The next `count` runs of a cron (in a timezone) or an interval, in words.',
        querystring: SchedulePreviewQuery,
        response: { 200: Envelope(SchedulePreview) },
      },
    },
    async (req) => {
      const { count, ...spec } = req.query;
      return ok(req, schedules.previewRuns(spec, count ?? 5));
    },
  );

  app.get(
    '/v1/schedules/:id',
    {
      schema: {
        tags,
        operationId: 'getSchedule',
        summary: 'One schedule',
        description: 'Its timetable, next and last run, latest export and last error.',
        'x-errors': ['NOT_FOUND'],
        params: Params,
        response: { 200: Envelope(Schedule) },
      },
    },
    async (req) => ok(req, schedules.get(req.params.id)),
  );

  app.patch(
    '/v1/schedules/:id',
    {
      schema: {
        tags,
        operationId: 'updateSchedule',
        summary: 'Change a schedule',
        description: 'Changes the fields sent; the timetable is planned again.',
        'x-errors': ['NOT_FOUND'],
        params: Params,
        body: ScheduleUpdate,
        response: { 200: Envelope(Schedule) },
      },
    },
    async (req) => ok(req, schedules.update(req.params.id, req.body)),
  );

  app.delete(
    '/v1/schedules/:id',
    {
      schema: {
        tags,
        operationId: 'deleteSchedule',
        summary: 'Delete a schedule',
        description: 'Stops it; the exports it made are kept.',
        'x-errors': ['NOT_FOUND'],
        params: Params,
        response: noContent('Deleted; its exports are kept.'),
      },
    },
    async (req, reply) => {
      schedules.delete(req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/schedules/:id/run',
    {
      schema: {
        tags,
        operationId: 'runSchedule',
        summary: 'Run a schedule now',
        description:
          'Starts a run at once; 409 CONFLICT while a run is in progress (runs never overlap).',
        'x-errors': ['NOT_FOUND', 'CONFLICT'],
        params: Params,
        response: { 202: Envelope(Schedule) },
      },
    },
    async (req, reply) => reply.code(202).send(ok(req, schedules.runNow(req.params.id))),
  );

  app.get(
    '/v1/schedules/:id/runs',
    {
      schema: {
        tags,
        operationId: 'listScheduleRuns',
        summary: 'The runs of a schedule',
        description:
          'Every run, newest first, numbered from 1, with its trigger, export, files and error; runs pruned by `retain` stay listed.',
        'x-errors': ['NOT_FOUND'],
        params: Params,
        querystring: ScheduleRunsQuery,
        response: { 200: ListEnvelope(ScheduleRun) },
      },
    },
    async (req) => {
      const page = schedules.runs(req.params.id, req.query.limit ?? 50, req.query.cursor);
      return list(req, page.items, page.nextCursor);
    },
  );

  app.get(
    '/v1/schedules/:id/runs/:number/changes',
    {
      schema: {
        tags,
        operationId: 'getScheduleRunChanges',
        summary: 'What a run changed since the previous run (CSV)',
        description:
          'The rows a run added, removed and changed since the previous run, as CSV with the columns `change,key,old,new`; rows are matched on `id`, else the first column ending in `_id`, else the first column. 404 when the schedule, the run or its changes file does not exist.',
        'x-errors': ['NOT_FOUND'],
        params: Type.Object({
          id: Type.String({ maxLength: 200 }),
          number: Type.Integer({ minimum: 1 }),
        }),
        response: {
          200: Type.Unknown({
            description: 'text/csv; old and new are the rows as JSON objects, empty when absent.',
          }),
        },
      },
      // A file: sent as written, never compressed on the way.
      compress: false,
    },
    async (req, reply) => {
      const path = schedules.changesFile(req.params.id, req.params.number);
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="run-${req.params.number}-changes.csv"`,
        )
        .send(createReadStream(path));
    },
  );

  app.get(
    '/v1/schedules/:id/latest/download',
    {
      schema: {
        tags,
        operationId: 'downloadLatestScheduleExport',
        summary: "Download the latest completed run's file",
        description:
          "302 to a fresh presigned link of the newest completed export's file: a link a spreadsheet can keep.",
        'x-errors': ['NOT_FOUND', 'EXPORT_NOT_READY', 'EXPORT_EXPIRED'],
        params: Params,
        querystring: DownloadQuery,
        response: redirectTo('Found: the Location header is a presigned link of the file.'),
      },
    },
    async (req, reply) =>
      reply.redirect(schedules.latestDownload(req.params.id, req.query.file ?? 0), 302),
  );
}
