// GET /healthz: no key, still behind the Host and Origin guards.
import { Envelope } from '../../../shared/schemas/common.ts';
import { Health, type StoreHealth } from '../../../shared/schemas/system.ts';
import { dialectOf, type StoreDb } from '../../engine/store/store-db.ts';
import { ok } from '../envelope.ts';
import type { ExportStorage, StorageHealth } from '../../engine/storage/export-storage.ts';
import type { RouteApp, RouteDeps } from './index.ts';

/** The store's own check, but never a hanging health answer: no reply in 3 s is "not ok". */
async function storageHealth(storage: ExportStorage): Promise<StorageHealth> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<StorageHealth>((resolve) => {
    timer = setTimeout(
      () => resolve({ kind: storage.kind, ok: false, message: 'no answer within 3 s' }),
      3000,
    );
  });
  try {
    return await Promise.race([storage.check(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One trivial statement: a PostgreSQL store that is down answers false with the reason. */
function storeHealth(db: StoreDb): StoreHealth {
  const kind = dialectOf(db);
  try {
    db.prepare('SELECT 1').get();
    return { kind, ok: true };
  } catch (err) {
    return { kind, ok: false, message: (err as Error).message };
  }
}

export function healthRoutes(app: RouteApp, { engine }: RouteDeps): void {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness',
        description:
          'Answers while the server runs, with its version and whether the file storage (the data folder or an S3 bucket) and the job store (SQLite, or a PostgreSQL database a team shares) can be reached. No key needed. While serve is still opening the engine, the status is "starting" and storage and store are absent (every other request answers 503 SERVICE_UNAVAILABLE with Retry-After).',
        tags: ['system'],
        security: [],
        response: { 200: Envelope(Health) },
      },
    },
    async (req) =>
      ok(req, {
        status: 'ok' as const,
        version: engine.ctx.config.version,
        storage: await storageHealth(engine.storage),
        store: storeHealth(engine.ctx.db),
      }),
  );
}
