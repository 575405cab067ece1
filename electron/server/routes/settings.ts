// GET/PATCH /v1/settings.
import { Envelope } from '../../../shared/schemas/common.ts';
import { Settings, SettingsUpdate } from '../../../shared/schemas/system.ts';
import { ok } from '../envelope.ts';
import type { RouteApp, RouteDeps } from './index.ts';

export function settingsRoutes(app: RouteApp, { engine }: RouteDeps): void {
  const tags = ['settings'];
  app.get(
    '/v1/settings',
    { schema: { tags, response: { 200: Envelope(Settings) } } },
    async (req) => ok(req, engine.settings.get()),
  );
  app.patch(
    '/v1/settings',
    { schema: { tags, body: SettingsUpdate, response: { 200: Envelope(Settings) } } },
    async (req) => ok(req, engine.settings.update(req.body)),
  );
}
