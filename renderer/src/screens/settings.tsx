// Settings: where files go, how long they live, notifications, theme, and the API keys.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiKey, Settings } from '../../../shared/schemas/system.ts';
import { api, describeError } from '../api.ts';
import { attempt, useStore } from '../store.ts';
import {
  CopyButton,
  ErrorBanner,
  Field,
  FolderField,
  InlineError,
  Modal,
  useConfirm,
} from '../ui/kit.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { currentEngine, pathsAreOn } from '../team-engine.ts';
import { TeamEngineSection } from './team-engine.tsx';

const DAY = 86_400;

function Preferences({ settings }: { settings: Settings }) {
  const id = useId();
  const [dest, setDest] = useState(settings.default_destination ?? '');
  const [retentionDays, setRetentionDays] = useState(String(settings.retention_seconds / DAY));
  const [ttlHours, setTtlHours] = useState(String(settings.url_ttl_seconds / 60));
  const [notifications, setNotifications] = useState(settings.notifications);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(ev: FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const updated = await api.updateSettings({
        default_destination: dest.trim() || null,
        retention_seconds: Math.round(Number(retentionDays) * DAY),
        url_ttl_seconds: Math.round(Number(ttlHours) * 60),
        notifications,
      });
      useStore.getState().setSettings(updated);
      useStore.getState().notify('ok', 'Settings saved.');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={(ev) => void save(ev)} aria-label="Preferences">
      <h2>Preferences</h2>
      <FolderField
        id={`${id}-dest`}
        label="Default destination"
        hint={`A folder on ${pathsAreOn()}: new exports also save a copy here unless you choose another folder. Empty: none.`}
        value={dest}
        onChange={setDest}
      />
      <div className="row">
        <Field
          id={`${id}-ret`}
          label="Keep completed exports for (days)"
          hint="Their files are deleted after that; saved copies stay."
        >
          <input
            id={`${id}-ret`}
            type="number"
            min="0.01"
            step="any"
            value={retentionDays}
            onChange={(ev) => setRetentionDays(ev.target.value)}
          />
        </Field>
        <Field
          id={`${id}-ttl`}
          label="Download links work for (minutes)"
          hint="Each link is signed for this long, never past the export’s expiry."
        >
          <input
            id={`${id}-ttl`}
            type="number"
            min="0.01"
            step="any"
            value={ttlHours}
            onChange={(ev) => setTtlHours(ev.target.value)}
          />
        </Field>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={notifications}
          onChange={(ev) => setNotifications(ev.target.checked)}
        />
        Notify me when a scheduled export completes or fails (desktop app)
      </label>
      <ThemeChoice current={settings.theme} />
      <InlineError error={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}

/** The theme applies and is saved the moment it is picked; "Save settings" is not needed. */
function ThemeChoice({ current }: { current: Settings['theme'] }) {
  const [error, setError] = useState<string | null>(null);
  const pick = async (theme: Settings['theme']) => {
    const store = useStore.getState();
    const before = store.settings;
    if (!before) return;
    setError(null);
    store.setSettings({ ...before, theme });
    try {
      const saved = await api.updateSettings({ theme });
      useStore
        .getState()
        .setSettings({ ...(useStore.getState().settings ?? saved), theme: saved.theme });
    } catch (err) {
      useStore.getState().setSettings(before);
      setError(describeError(err));
    }
  };
  return (
    <fieldset className="segmented">
      <legend>Theme (applies at once)</legend>
      {(['system', 'light', 'dark'] as const).map((t) => (
        <label key={t} className={current === t ? 'on' : ''}>
          <input type="radio" name="theme" checked={current === t} onChange={() => void pick(t)} />
          {t === 'system' ? 'Follow the system' : t === 'light' ? 'Light' : 'Dark'}
        </label>
      ))}
      <InlineError error={error} />
    </fieldset>
  );
}

function NewKeyDialog({ onClose }: { onClose(created: boolean): void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (ev: FormEvent) => {
    ev.preventDefault();
    try {
      setKey((await api.createKey(name.trim())).key ?? null);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <Modal title="New API key" onClose={() => onClose(key !== null)}>
      {key ? (
        <div className="stack">
          <p>
            Copy it now: it is shown only once. Scripts send it as{' '}
            <code>Authorization: Bearer …</code>.
          </p>
          <div className="input-with-button">
            <input
              readOnly
              value={key}
              aria-label="The new API key"
              className="code"
              onFocus={(ev) => ev.target.select()}
            />
            <CopyButton text={key} what="API key" />
          </div>
          <div className="modal-actions">
            <button type="button" className="primary" onClick={() => onClose(true)}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={(ev) => void create(ev)}>
          <Field
            id={`${id}-name`}
            label="What is it for?"
            hint="e.g. “nightly script” or “Excel on my laptop”."
            error={error}
          >
            <input
              id={`${id}-name`}
              value={name}
              required
              onChange={(ev) => setName(ev.target.value)}
            />
          </Field>
          <div className="modal-actions">
            <button type="button" onClick={() => onClose(false)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={!name.trim()}>
              Create key
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

function ApiKeys() {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [confirmDialog, confirm] = useConfirm();
  const load = () => api.keys().then(setKeys, (err: unknown) => setError(describeError(err)));
  useEffect(() => void load(), []);

  const revoke = async (k: ApiKey) => {
    const yes = await confirm({
      title: `Revoke “${k.name}”?`,
      body: 'Anything using this key stops working at once. This cannot be undone.',
      action: 'Revoke key',
    });
    if (yes)
      await attempt(async () => {
        await api.revokeKey(k.id);
        await load();
      }, 'Key revoked.');
  };

  return (
    <section className="card">
      <header className="card-head">
        <h2>API keys</h2>
        <span className="spacer" />
        <button type="button" onClick={() => setCreating(true)}>
          New key
        </button>
      </header>
      {creating ? (
        <NewKeyDialog
          onClose={(created) => {
            setCreating(false);
            if (created) void load();
          }}
        />
      ) : null}
      {confirmDialog}
      {error ? <ErrorBanner what="Could not load the keys" error={error} /> : null}
      {!keys ? null : keys.length === 0 ? (
        <p className="muted">
          No keys yet. Local tools use a key to call the API; create one per tool.
        </p>
      ) : (
        <table className="table" aria-label="API keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Created</th>
              <th>Last used</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>
                  <RelativeTime at={k.created_at} />
                </td>
                <td>{k.last_used_at ? <RelativeTime at={k.last_used_at} /> : 'never'}</td>
                <td className="cell-actions">
                  <button
                    type="button"
                    className="danger"
                    onClick={() => void revoke(k)}
                    aria-label={`Revoke ${k.name}`}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function SettingsScreen() {
  const settings = useStore((s) => s.settings);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.settings().then(
      (s) => useStore.getState().setSettings(s),
      (err: unknown) => setError(describeError(err)),
    );
  }, []);
  // The team engine setting stays reachable when the engine (a team's that went away) does not.
  if (error || !settings)
    return (
      <div className="settings">
        <TeamEngineSection />
        {error ? (
          <ErrorBanner what="Could not load settings" error={error} />
        ) : (
          <p className="muted loading">Loading settings…</p>
        )}
      </div>
    );
  const engine = currentEngine();
  return (
    <div className="settings">
      <TeamEngineSection />
      <Preferences key={settings.version} settings={settings} />
      <ApiKeys />
      <section className="card">
        <h2>This engine</h2>
        <dl className="kv">
          <div>
            <dt>Address</dt>
            <dd>
              <code>{engine.kind === 'team' ? engine.url : window.location.origin}</code> (port{' '}
              {settings.port})
            </dd>
          </div>
          <div>
            <dt>Data folder</dt>
            <dd>
              <code>{settings.data_dir}</code>
            </dd>
          </div>
          <div>
            <dt>Exports at once</dt>
            <dd>{settings.concurrency}</dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd>{settings.version}</dd>
          </div>
        </dl>
        <p className="muted">
          The port and the data folder are chosen at start:{' '}
          <code>export-manager serve --port N --data-dir DIR</code>, or{' '}
          <code>EXPORT_MANAGER_PORT</code> and <code>EXPORT_MANAGER_DATA_DIR</code> for the desktop
          app.
        </p>
      </section>
    </div>
  );
}
