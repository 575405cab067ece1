// Settings as the engine has them, and the API keys (never the keys themselves).
import { useEffect, useState } from 'react';
import type { ApiKey, Settings } from '../../../shared/schemas/system.ts';
import { api, describeError } from '../api.ts';
import { relative } from '../format.ts';

export function SettingsScreen() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([api.settings(), api.keys()]).then(
      ([s, k]) => {
        setSettings(s);
        setKeys(k);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, []);
  if (error)
    return (
      <div className="banner error" role="alert">
        Could not load settings: {error}
      </div>
    );
  if (!settings || !keys) return <p className="muted">Loading settings…</p>;
  const rows: [string, string][] = [
    ['Port', String(settings.port)],
    ['Data folder', settings.data_dir],
    ['Link lifetime', `${settings.url_ttl_seconds} s`],
    [
      'Retention',
      `${Math.round(settings.retention_seconds / 86400)} days (${settings.retention_seconds} s)`,
    ],
    ['Exports at once', String(settings.concurrency)],
    ['Version', settings.version],
  ];
  return (
    <>
      <section className="card">
        <h2>Engine</h2>
        <dl className="kv">
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card">
        <h2>API keys</h2>
        {keys.length === 0 ? (
          <p className="muted">
            No stored keys: this server accepts the key from EXPORT_MANAGER_API_KEY.
          </p>
        ) : (
          <ul className="plain">
            {keys.map((k) => (
              <li key={k.id}>
                <strong>{k.name}</strong> <code>{k.prefix}…</code>{' '}
                <span className="muted">created {relative(k.created_at)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
