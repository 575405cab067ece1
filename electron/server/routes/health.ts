// GET /healthz: no key, still behind the Host and Origin guards.
import { Envelope } from '../../../shared/schemas/common.ts';
import { Health } from '../../../shared/schemas/system.ts';
import { ok } from '../envelope.ts';
import type { RouteApp, RouteDeps } from './index.ts';

export function healthRoutes(app: RouteApp, { engine }: RouteDeps): void {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness',
        description:
          'Answers while the server runs, with its version. No key needed. While serve is still opening the engine, the status is "starting" (every other request answers 503 SERVICE_UNAVAILABLE with Retry-After).',
        tags: ['system'],
        security: [],
        response: { 200: Envelope(Health) },
      },
    },
    async (req) => ok(req, { status: 'ok' as const, version: engine.ctx.config.version }),
  );
}
