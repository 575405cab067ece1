// /v1/exports: create (202), list, read, download (302 to a presigned link), cancel, recreate, delete.
import { Type } from 'typebox';
import { Envelope, ListEnvelope } from '../../../shared/schemas/common.ts';
import {
  DownloadQuery,
  Export,
  ExportCounts,
  ExportCountsQuery,
  ExportCreate,
  ExportListQuery,
  ExportSave,
  ExportSaved,
} from '../../../shared/schemas/exports.ts';
import { list, ok } from '../envelope.ts';
import type { RouteApp, RouteDeps } from './index.ts';
import { noContent, redirectTo } from '../openapi-responses.ts';

const Params = Type.Object({ id: Type.String({ maxLength: 200 }) });

export function exportRoutes(app: RouteApp, { engine }: RouteDeps): void {
  const tags = ['exports'];
  const exportsSvc = engine.exports;

  app.post(
    '/v1/exports',
    {
      schema: {
        tags,
        summary: 'Create an export of a dataset or at a provider',
        body: ExportCreate,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
        response: { 202: Envelope(Export) },
      },
    },
    async (req, reply) => {
      const { export: exp, replayed } = exportsSvc.create(req.body, {
        idempotencyKey: req.headers['idempotency-key'],
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(202).send(ok(req, exp));
    },
  );

  app.get(
    '/v1/exports',
    {
      schema: {
        tags,
        summary: 'A page of exports: filtered by status, source, schedule and name, sorted',
        querystring: ExportListQuery,
        response: { 200: ListEnvelope(Export) },
      },
    },
    async (req) => {
      const { items, nextCursor } = exportsSvc.list(req.query);
      return list(req, items, nextCursor);
    },
  );

  app.get(
    '/v1/exports/counts',
    {
      schema: {
        tags,
        summary: 'How many exports are in each status, under the same filters as the list',
        querystring: ExportCountsQuery,
        response: { 200: Envelope(ExportCounts) },
      },
    },
    (req) => ok(req, exportsSvc.counts(req.query)),
  );

  app.get(
    '/v1/exports/:id',
    { schema: { tags, params: Params, response: { 200: Envelope(Export) } } },
    // Synchronous: the poll every client runs skips a promise (fastify sends what is returned).
    (req) => ok(req, exportsSvc.get(req.params.id)),
  );

  app.get(
    '/v1/exports/:id/download',
    {
      schema: {
        tags,
        summary: '302 to a presigned link of the file',
        params: Params,
        querystring: DownloadQuery,
        response: redirectTo('Found: the Location header is a presigned link of the file.'),
      },
    },
    async (req, reply) =>
      reply.redirect(exportsSvc.downloadLocation(req.params.id, req.query.file ?? 0), 302),
  );

  app.post(
    '/v1/exports/:id/save',
    {
      schema: {
        tags,
        summary: 'Save a copy of the file in a folder, decompressed if asked; never overwrites',
        params: Params,
        body: ExportSave,
        response: { 200: Envelope(ExportSaved) },
      },
    },
    async (req) => ok(req, await exportsSvc.saveCopy(req.params.id, req.body)),
  );

  app.post(
    '/v1/exports/:id/cancel',
    { schema: { tags, params: Params, response: { 200: Envelope(Export) } } },
    async (req) => ok(req, await exportsSvc.cancel(req.params.id)),
  );

  app.post(
    '/v1/exports/:id/recreate',
    { schema: { tags, params: Params, response: { 202: Envelope(Export) } } },
    async (req, reply) => reply.code(202).send(ok(req, exportsSvc.recreate(req.params.id))),
  );

  app.delete(
    '/v1/exports/:id',
    { schema: { tags, params: Params, response: noContent('Deleted, with its files.') } },
    async (req, reply) => {
      await exportsSvc.delete(req.params.id);
      return reply.code(204).send(null);
    },
  );
}
