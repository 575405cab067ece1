// Datasets: list, read, import (202, followed by GET), delete.
import { Envelope, ListEnvelope } from '../../../shared/schemas/common.ts';
import {
  ColumnValues,
  ColumnValuesParams,
  ColumnValuesQuery,
  Dataset,
  DatasetCount,
  DatasetCountRequest,
  DatasetCreate,
  DatasetParams,
} from '../../../shared/schemas/datasets.ts';
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
  app.get(
    '/v1/datasets/:name/columns/:column/values',
    {
      schema: {
        tags,
        operationId: 'listColumnValues',
        summary: "A column's most frequent distinct values",
        description:
          'For suggesting condition values: the distinct values of one column with their counts, most frequent first, optionally only those starting with `prefix`. Bounded work on any size: a dataset of up to 200,000 rows is read whole (`complete: true`, exact counts); a larger one is sampled as 20 runs of 10,000 rows spread over the file (`complete: false`, counts within the sample). Nulls are counted apart (`null_count`).',
        'x-errors': ['NOT_FOUND', 'CONFLICT'],
        params: ColumnValuesParams,
        querystring: ColumnValuesQuery,
        response: { 200: Envelope(ColumnValues) },
      },
    },
    async (req) =>
      ok(
        req,
        await engine.datasets.values(req.params.name, req.params.column, {
          prefix: req.query.prefix,
          limit: req.query.limit,
        }),
      ),
  );
  app.post(
    '/v1/datasets/:name/count',
    {
      schema: {
        tags,
        operationId: 'countDatasetRows',
        summary: 'Count the rows a filter matches',
        description:
          "Takes the `filter` of an export request (time range and `where`, checked the same way, errors naming `details.field`) and answers how many rows an export with it would write, so a filter that matches nothing can be caught before exporting. An exact count: one pass over the dataset's file.",
        'x-errors': ['NOT_FOUND', 'CONFLICT'],
        params: DatasetParams,
        body: DatasetCountRequest,
        response: { 200: Envelope(DatasetCount) },
      },
    },
    async (req) => ok(req, await engine.datasets.count(req.params.name, req.body.filter ?? null)),
  );
}
