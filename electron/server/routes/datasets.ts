// Datasets: list, read, import (202, followed by GET), delete.
import { Envelope, ListEnvelope } from '../../../shared/schemas/common.ts';
import { Dataset, DatasetCreate, DatasetParams } from '../../../shared/schemas/datasets.ts';
import { list, ok } from '../envelope.ts';
import type { RouteApp, RouteDeps } from './index.ts';
import { noContent } from '../openapi-responses.ts';

export function datasetRoutes(app: RouteApp, { engine }: RouteDeps): void {
  const tags = ['datasets'];
  app.get(
    '/v1/datasets',
    {
      schema: {
        tags,
        operationId: 'listDatasets',
        summary: 'Every dataset',
        description: 'Columns with types, row count, time column and import progress of each.',
        response: { 200: ListEnvelope(Dataset) },
      },
    },
    async (req) => list(req, engine.datasets.list(), null),
  );
  app.get(
    '/v1/datasets/:name',
    {
      schema: {
        tags,
        operationId: 'getDataset',
        summary: 'One dataset',
        description: 'Follows an import: `status` is importing, ready or failed.',
        'x-errors': ['NOT_FOUND'],
        params: DatasetParams,
        response: { 200: Envelope(Dataset) },
      },
    },
    async (req) => ok(req, engine.datasets.get(req.params.name)),
  );
  app.post(
    '/v1/datasets',
    {
      schema: {
        tags,
        operationId: 'importDataset',
        summary: 'Import a file or a completed export as a dataset',
        description:
          'Imports a local CSV, CSV.gz or JSONL file (by `path`) or a completed export (`export_id`) in the background; follow it with getDataset.',
        'x-errors': ['CONFLICT', 'NOT_FOUND'],
        body: DatasetCreate,
        response: { 202: Envelope(Dataset) },
      },
    },
    async (req, reply) => reply.code(202).send(ok(req, engine.datasets.create(req.body))),
  );
  app.delete(
    '/v1/datasets/:name',
    {
      schema: {
        tags,
        operationId: 'deleteDataset',
        summary: 'Delete a dataset',
        description: 'Removes the dataset and its data; exports made from it are kept.',
        'x-errors': ['NOT_FOUND'],
        params: DatasetParams,
        response: noContent('Deleted, with its data.'),
      },
    },
    async (req, reply) => {
      engine.datasets.delete(req.params.name);
      return reply.code(204).send(null);
    },
  );
}
