// GET/PATCH /v1/settings.
import { Envelope } from '../../../shared/schemas/common.ts';
import { Settings, SettingsUpdate } from '../../../shared/schemas/system.ts';
import { ok } from '../envelope.ts';
import type { RouteApp, RouteDeps } from './index.ts';

export function settingsRoutes(app: RouteApp, { engine }: RouteDeps): void {
  const tags = ['settings'];
  app.get(
    '/v1/settings',
    {
      schema: {
        tags,
        operationId: 'getSettings',
        summary: 'The engine settings',
        description: 'Port, data folder, link lifetime, retention, defaults and limits.',
        response: { 200: Envelope(Settings) },
      },
    },
    async (req) => ok(req, engine.settings.get()),
  );
  app.patch(
    '/v1/settings',
    {
      schema: {
        tags,
        operationId: 'updateSettings',
        summary: 'Change settings',
        description:
          'Changes the fields sent (link lifetime, retention, default destination, notifications, theme); answers every setting.',
        body: SettingsUpdate,
        response: { 200: Envelope(Settings) },
      },
    },
    async (req) => ok(req, engine.settings.update(req.body)),
  );
}
