// Every route module, registered in one place. A module is `(app, deps) => void | Promise<void>`.
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Engine } from '../../engine/engine.ts';
import { datasetRoutes } from './datasets.ts';
import { eventRoutes } from './events.ts';
import { exportRoutes } from './exports.ts';
import { fileRoutes } from './files.ts';
import { healthRoutes } from './health.ts';
import { keyRoutes } from './keys.ts';
import { providerRoutes } from './providers.ts';
import { scheduleRoutes } from './schedules.ts';
import { settingsRoutes } from './settings.ts';

export type RouteApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteDeps {
  readonly engine: Engine;
  readonly heartbeatMs: number;
}

export async function registerRoutes(app: RouteApp, deps: RouteDeps): Promise<void> {
  healthRoutes(app, deps);
  keyRoutes(app, deps);
  settingsRoutes(app, deps);
  eventRoutes(app, deps);
  datasetRoutes(app, deps);
  exportRoutes(app, deps);
  providerRoutes(app, deps);
  fileRoutes(app, deps);
  scheduleRoutes(app, deps);
}
