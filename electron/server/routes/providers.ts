// /v1/providers: list, create (201), read, update, delete, and a connection test.
import { Envelope, IdParams, ListEnvelope } from '../../../shared/schemas/common.ts';
import {
  Provider,
  ProviderCreate,
  ProviderTestResult,
  ProviderUpdate,
} from '../../../shared/schemas/providers.ts';
import { list, ok } from '../envelope.ts';
import type { RouteApp, RouteDeps } from './index.ts';
import { noContent } from '../openapi-responses.ts';

export function providerRoutes(app: RouteApp, { engine }: RouteDeps): void {
  const tags = ['providers'];
  const providers = engine.providers;

  app.get(
    '/v1/providers',
    { schema: { tags, response: { 200: ListEnvelope(Provider) } } },
    async (req) => list(req, providers.list(), null),
  );

  app.post(
    '/v1/providers',
    {
      schema: {
        tags,
        summary: 'Add a vendor account; the credential is write-only and stored sealed',
        body: ProviderCreate,
        response: { 201: Envelope(Provider) },
      },
    },
    async (req, reply) => reply.code(201).send(ok(req, providers.create(req.body))),
  );

  app.get(
    '/v1/providers/:id',
    { schema: { tags, params: IdParams, response: { 200: Envelope(Provider) } } },
    async (req) => ok(req, providers.get(req.params.id)),
  );

  app.patch(
    '/v1/providers/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: ProviderUpdate,
        response: { 200: Envelope(Provider) },
      },
    },
    async (req) => ok(req, providers.update(req.params.id, req.body)),
  );

  app.delete(
    '/v1/providers/:id',
    { schema: { tags, params: IdParams, response: noContent('Deleted.') } },
    async (req, reply) => {
      providers.delete(req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/providers/:id/test',
    {
      schema: {
        tags,
        summary: 'Reach the vendor with the stored credential: is it accepted?',
        params: IdParams,
        response: { 200: Envelope(ProviderTestResult) },
      },
    },
    async (req) => ok(req, await providers.test(req.params.id)),
  );
}
