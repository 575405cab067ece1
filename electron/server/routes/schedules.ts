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
    { schema: { tags, response: { 200: ListEnvelope(Schedule) } } },
    async (req) => list(req, schedules.list(), null),
  );

  app.post(
    '/v1/schedules',
    {
      schema: {
        tags,
        summary: 'Save an export request with a cron or interval timetable',
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
        summary: 'The next runs of a cron or interval, in words (extension)',
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
    { schema: { tags, params: Params, response: { 200: Envelope(Schedule) } } },
    async (req) => ok(req, schedules.get(req.params.id)),
  );

  app.patch(
    '/v1/schedules/:id',
    {
      schema: { tags, params: Params, body: ScheduleUpdate, response: { 200: Envelope(Schedule) } },
    },
    async (req) => ok(req, schedules.update(req.params.id, req.body)),
  );

  app.delete(
    '/v1/schedules/:id',
    { schema: { tags, params: Params, response: noContent('Deleted; its exports are kept.') } },
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
        summary: 'Run now (409 while a run is in progress: runs never overlap)',
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
        summary:
          'Every run of the schedule, newest first, numbered, with trigger, file and changes',
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
        summary:
          'The rows a run added, removed and changed since the previous run: CSV of change,key,old,new',
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
        summary: "302 to a fresh presigned link of the latest completed export's file",
        params: Params,
        querystring: DownloadQuery,
        response: redirectTo('Found: the Location header is a presigned link of the file.'),
      },
    },
    async (req, reply) =>
      reply.redirect(schedules.latestDownload(req.params.id, req.query.file ?? 0), 302),
  );
}
