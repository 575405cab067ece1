// API keys (create shows the key once), and one-time browser tokens for the desktop shell and scripts.
import { Type } from 'typebox';
import { Envelope, ListEnvelope } from '../../../shared/schemas/common.ts';
import { ApiKey, ApiKeyCreate } from '../../../shared/schemas/system.ts';
import { list, ok } from '../envelope.ts';
import type { RouteApp, RouteDeps } from './index.ts';
import { noContent } from '../openapi-responses.ts';

export function keyRoutes(app: RouteApp, { engine }: RouteDeps): void {
  const tags = ['keys'];
  app.get(
    '/v1/keys',
    {
      schema: {
        tags,
        operationId: 'listApiKeys',
        summary: 'Every API key (never the key itself)',
        description: 'Name, prefix, creation and last use of each key.',
        response: { 200: ListEnvelope(ApiKey) },
      },
    },
    async (req) => list(req, engine.keys.list(), null),
  );
  app.post(
    '/v1/keys',
    {
      schema: {
        tags,
        operationId: 'createApiKey',
        summary: 'Create an API key',
        description:
          'The answer carries the key itself in `key`, this once; it is never shown again.',
        body: ApiKeyCreate,
        response: { 201: Envelope(ApiKey) },
      },
    },
    async (req, reply) => reply.code(201).send(ok(req, engine.keys.create(req.body.name))),
  );
  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        tags,
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key',
        description: 'The key stops working at once.',
        'x-errors': ['NOT_FOUND'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: noContent('Revoked: the key stops working at once.'),
      },
    },
    async (req, reply) => {
      engine.keys.revoke(req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/v1/sessions/token',
    {
      schema: {
        tags,
        operationId: 'createSessionToken',
        summary: 'A one-time link that signs a browser tab in',
        description:
          'Visiting `url` trades the token for an HttpOnly, SameSite=Strict session cookie and redirects to `/`.',
        response: { 201: Envelope(Type.Object({ token: Type.String(), url: Type.String() })) },
      },
    },
    async (req, reply) => {
      const token = engine.keys.issueToken();
      return reply
        .code(201)
        .send(ok(req, { token, url: `${engine.ctx.baseUrl()}/?token=${token}` }));
    },
  );
}
