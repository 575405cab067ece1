// User settings kept in the store; link lifetime and retention also tune the running engine.
import type { Settings, SettingsUpdate } from '../../../shared/schemas/system.ts';
import type { EngineContext } from '../context.ts';
import { immediate } from '../store/db.ts';

export interface SettingsService {
  get(): Settings;
  update(patch: SettingsUpdate): Settings;
}

type Stored = Pick<Settings, 'default_destination' | 'notifications' | 'theme'> &
  Partial<Pick<Settings, 'url_ttl_seconds' | 'retention_seconds'>>;

export function createSettingsService(
  ctx: EngineContext,
  opts: { port: () => number; explicit: { urlTtl: boolean; retention: boolean } },
): SettingsService {
  const { db } = ctx;
  const read = (): Stored => {
    const rows = db.prepare('SELECT key, value_json FROM settings').all() as {
      key: string;
      value_json: string;
    }[];
    const map = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value_json) as unknown]));
    return {
      default_destination: (map.default_destination as string | null | undefined) ?? null,
      notifications: (map.notifications as boolean | undefined) ?? true,
      theme: (map.theme as Settings['theme'] | undefined) ?? 'system',
      url_ttl_seconds: map.url_ttl_seconds as number | undefined,
      retention_seconds: map.retention_seconds as number | undefined,
    };
  };

  // A flag given on the command line wins over the stored setting for this run.
  const stored = read();
  if (!opts.explicit.urlTtl && stored.url_ttl_seconds)
    ctx.config.urlTtlSeconds = stored.url_ttl_seconds;
  if (!opts.explicit.retention && stored.retention_seconds)
    ctx.config.retentionSeconds = stored.retention_seconds;

  const get = (): Settings => {
    const s = read();
    return {
      port: opts.port(),
      data_dir: ctx.paths.dataDir,
      url_ttl_seconds: ctx.config.urlTtlSeconds,
      retention_seconds: ctx.config.retentionSeconds,
      default_destination: s.default_destination,
      notifications: s.notifications,
      theme: s.theme,
      concurrency: ctx.config.concurrency,
      max_rows: ctx.config.maxRows,
      version: ctx.config.version,
    };
  };

  return {
    get,
    update(patch) {
      const upsert = db.prepare(
        'INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json',
      );
      immediate(db, () => {
        for (const [k, v] of Object.entries(patch))
          if (v !== undefined) upsert.run(k, JSON.stringify(v));
      });
      if (patch.url_ttl_seconds) ctx.config.urlTtlSeconds = patch.url_ttl_seconds;
      if (patch.retention_seconds) ctx.config.retentionSeconds = patch.retention_seconds;
      return get();
    },
  };
}
