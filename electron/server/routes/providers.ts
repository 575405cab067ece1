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
    {
      schema: {
        tags,
        operationId: 'listProviders',
        summary: 'Every provider',
        description:
          'Vendor accounts, each with `has_credential` (the credential itself is never returned).',
        response: { 200: ListEnvelope(Provider) },
      },
    },
    async (req) => list(req, providers.list(), null),
  );

  app.post(
    '/v1/providers',
    {
      schema: {
        tags,
        operationId: 'createProvider',
        summary: 'Add a vendor account',
        description:
          'The credential is write-only: stored sealed, never returned, never logged. Dynamic needs `options.environment_id`.',
        body: ProviderCreate,
        response: { 201: Envelope(Provider) },
      },
    },
    async (req, reply) => reply.code(201).send(ok(req, providers.create(req.body))),
  );

  app.get(
    '/v1/providers/:id',
    {
      schema: {
        tags,
        operationId: 'getProvider',
        summary: 'One provider',
        description: 'A vendor account, without its credential.',
        'x-errors': ['NOT_FOUND'],
        params: IdParams,
        response: { 200: Envelope(Provider) },
      },
    },
    async (req) => ok(req, providers.get(req.params.id)),
  );

  app.patch(
    '/v1/providers/:id',
    {
      schema: {
        tags,
        operationId: 'updateProvider',
        summary: 'Change a provider',
        description: 'Changes the fields sent; a new credential replaces the stored one.',
        'x-errors': ['NOT_FOUND'],
        params: IdParams,
        body: ProviderUpdate,
        response: { 200: Envelope(Provider) },
      },
    },
    async (req) => ok(req, providers.update(req.params.id, req.body)),
  );

  app.delete(
    '/v1/providers/:id',
    {
      schema: {
        tags,
        operationId: 'deleteProvider',
        summary: 'Delete a provider',
        description:
          'Refused (409) while exports of this provider are pending or running; its finished exports are kept.',
        'x-errors': ['NOT_FOUND', 'CONFLICT'],
        params: IdParams,
        response: noContent('Deleted.'),
      },
    },
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
        operationId: 'testProvider',
        summary: 'Test the connection to the vendor',
        description:
          'One request to the vendor with the stored credential, no retry, answered within a deadline: `ok`, the HTTP status and a message.',
        'x-errors': ['NOT_FOUND'],
        params: IdParams,
        response: { 200: Envelope(ProviderTestResult) },
      },
    },
    async (req) => ok(req, await providers.test(req.params.id)),
  );
}
