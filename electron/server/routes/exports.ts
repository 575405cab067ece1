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
import { replyTellsUpTo } from '../durable-replies.ts';
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
        operationId: 'createExport',
        summary: 'Create an export of a dataset or at a provider',
        description:
          'Queues an export (202) and answers it; follow it with getExport or the event stream. The same `Idempotency-Key` with the same body within 24 h answers the first export again (`Idempotent-Replayed: true`).',
        'x-errors': ['IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS'],
        body: ExportCreate,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
        response: { 202: Envelope(Export) },
      },
    },
    async (req, reply) => {
      const {
        export: exp,
        replayed,
        mark,
      } = exportsSvc.create(req.body, {
        idempotencyKey: req.headers['idempotency-key'],
      });
      // The answer tells of the accepted export, not of its start (which has its own event).
      replyTellsUpTo(req, mark);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(202).send(ok(req, exp));
    },
  );

  app.get(
    '/v1/exports',
    {
      schema: {
        tags,
        operationId: 'listExports',
        summary: 'A page of exports',
        description:
          'Filtered by status, source, schedule and name, sorted; `meta.next_cursor` is the next page (null on the last).',
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
        operationId: 'countExports',
        summary: 'How many exports are in each status',
        description: 'Under the same filters as listExports, in one grouped query.',
        querystring: ExportCountsQuery,
        response: { 200: Envelope(ExportCounts) },
      },
    },
    (req) => ok(req, exportsSvc.counts(req.query)),
  );

  app.get(
    '/v1/exports/:id',
    {
      schema: {
        tags,
        operationId: 'getExport',
        summary: 'One export',
        description:
          'Its status, progress, files and, once completed, a `download_url` minted afresh on every read.',
        'x-errors': ['NOT_FOUND'],
        params: Params,
        response: { 200: Envelope(Export) },
      },
    },
    // Synchronous: the poll every client runs skips a promise (fastify sends what is returned).
    (req) => ok(req, exportsSvc.get(req.params.id)),
  );

  app.get(
    '/v1/exports/:id/download',
    {
      schema: {
        tags,
        operationId: 'downloadExport',
        summary: 'Download a file of the export',
        description:
          '302 to a fresh presigned link of file `file` (default 0); the link needs no key.',
        'x-errors': ['NOT_FOUND', 'EXPORT_NOT_READY', 'EXPORT_FAILED', 'EXPORT_EXPIRED'],
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
        operationId: 'saveExportCopy',
        summary: 'Save a copy of the file in a folder',
        description:
          'Decompressed if asked, under a name that never overwrites a file (`name (2).csv`, ...).',
        'x-errors': [
          'NOT_FOUND',
          'EXPORT_NOT_READY',
          'EXPORT_FAILED',
          'EXPORT_EXPIRED',
          'DISK_FULL',
        ],
        params: Params,
        body: ExportSave,
        response: { 200: Envelope(ExportSaved) },
      },
    },
    async (req) => ok(req, await exportsSvc.saveCopy(req.params.id, req.body)),
  );

  app.post(
    '/v1/exports/:id/cancel',
    {
      schema: {
        tags,
        operationId: 'cancelExport',
        summary: 'Cancel an export',
        description:
          'Only a pending or processing export (409 CONFLICT otherwise); it ends canceled.',
        'x-errors': ['NOT_FOUND', 'CONFLICT'],
        params: Params,
        response: { 200: Envelope(Export) },
      },
    },
    async (req) => ok(req, await exportsSvc.cancel(req.params.id)),
  );

  app.post(
    '/v1/exports/:id/recreate',
    {
      schema: {
        tags,
        operationId: 'recreateExport',
        summary: 'Re-create an export',
        description:
          'A new export of the same request, with `recreated_from` set; the old one gets `recreated_as`.',
        'x-errors': ['NOT_FOUND'],
        params: Params,
        response: { 202: Envelope(Export) },
      },
    },
    async (req, reply) => reply.code(202).send(ok(req, exportsSvc.recreate(req.params.id))),
  );

  app.delete(
    '/v1/exports/:id',
    {
      schema: {
        tags,
        operationId: 'deleteExport',
        summary: 'Delete an export',
        description: 'Removes the record and its files; a running export is stopped first.',
        'x-errors': ['NOT_FOUND'],
        params: Params,
        response: noContent('Deleted, with its files.'),
      },
    },
    async (req, reply) => {
      await exportsSvc.delete(req.params.id);
      return reply.code(204).send(null);
    },
  );
}
