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
    { schema: { tags, response: { 200: ListEnvelope(Dataset) } } },
    async (req) => list(req, engine.datasets.list(), null),
  );
  app.get(
    '/v1/datasets/:name',
    { schema: { tags, params: DatasetParams, response: { 200: Envelope(Dataset) } } },
    async (req) => ok(req, engine.datasets.get(req.params.name)),
  );
  app.post(
    '/v1/datasets',
    {
      schema: {
        tags,
        summary:
          'Import a local CSV, CSV.gz or JSONL file (by path), or a completed export, as a dataset',
        body: DatasetCreate,
        response: { 202: Envelope(Dataset) },
      },
    },
    async (req, reply) => reply.code(202).send(ok(req, engine.datasets.create(req.body))),
  );
  app.delete(
    '/v1/datasets/:name',
    { schema: { tags, params: DatasetParams, response: noContent('Deleted, with its data.') } },
    async (req, reply) => {
      engine.datasets.delete(req.params.name);
      return reply.code(204).send(null);
    },
  );
}
