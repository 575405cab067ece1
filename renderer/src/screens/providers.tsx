// Providers: the vendors Export Manager fetches exports from. Add, edit, test, delete; the
// credential is entered once and never shown again.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type {
  Provider,
  ProviderTestResult,
  ProviderType,
} from '../../../shared/schemas/providers.ts';
import { providerTypes } from '../../../shared/vocabulary.ts';
import { api, describeError } from '../api.ts';
import { providerKinds } from '../provider-kinds.ts';
import { navigate } from '../router.ts';
import { attempt, useStore } from '../store.ts';
import {
  DialogActions,
  EmptyState,
  ErrorBanner,
  Field,
  InlineError,
  Modal,
  useConfirm,
} from '../ui/kit.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';

function optionText(type: ProviderType, key: string, value: unknown): string {
  if (value === undefined) return '';
  return type === 'generic' && key === 'config' ? JSON.stringify(value, null, 2) : String(value);
}

function ProviderDialog({ existing, onClose }: { existing: Provider | null; onClose(): void }) {
  const id = useId();
  const [type, setType] = useState<ProviderType>(existing?.type ?? 'datadriver');
  const kind = providerKinds[type];
  const [name, setName] = useState(existing?.name ?? '');
  const [baseUrl, setBaseUrl] = useState(existing?.base_url ?? kind.baseUrl);
  const [credential, setCredential] = useState('');
  const [options, setOptions] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      kind.options.map((o) => [o.key, optionText(type, o.key, existing?.options[o.key])]),
    ),
  );
  const [rps, setRps] = useState(String(existing?.requests_per_second ?? ''));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const changeType = (t: ProviderType) => {
    setType(t);
    if (!existing && (baseUrl === '' || baseUrl === kind.baseUrl))
      setBaseUrl(providerKinds[t].baseUrl);
    setOptions(Object.fromEntries(providerKinds[t].options.map((o) => [o.key, ''])));
  };

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const opts: Record<string, unknown> = {};
      for (const o of kind.options) {
        const v = options[o.key]?.trim() ?? '';
        if (!v) continue;
        opts[o.key] = type === 'generic' && o.key === 'config' ? JSON.parse(v) : v;
      }
      const body = {
        name: name.trim() || kind.label,
        base_url: baseUrl.trim(),
        ...(credential ? { credential } : {}),
        ...(kind.options.length ? { options: opts } : {}),
        ...(rps.trim() ? { requests_per_second: Number(rps) } : {}),
      };
      if (existing) await api.updateProvider(existing.id, body);
      else await api.createProvider({ ...body, type });
      await useStore.getState().loadProviders();
      useStore.getState().notify('ok', existing ? 'Provider saved.' : 'Provider added.');
      onClose();
    } catch (err) {
      setError(
        err instanceof SyntaxError
          ? `The config is not valid JSON: ${err.message}`
          : describeError(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title={existing ? `Edit ${existing.name}` : 'Add a provider'} onClose={onClose}>
      <form className="stack" onSubmit={(ev) => void submit(ev)}>
        <Field id={`${id}-type`} label="Vendor">
          <select
            id={`${id}-type`}
            value={type}
            disabled={existing !== null}
            onChange={(ev) => changeType(ev.target.value as ProviderType)}
          >
            {providerTypes.map((t) => (
              <option key={t} value={t}>
                {providerKinds[t].label}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-name`} label="Name" hint="How this connection appears in Export Manager.">
          <input
            id={`${id}-name`}
            value={name}
            placeholder={kind.label}
            onChange={(ev) => setName(ev.target.value)}
          />
        </Field>
        <Field id={`${id}-url`} label="API address">
          <input
            id={`${id}-url`}
            value={baseUrl}
            required
            placeholder="https://api.vendor.com"
            onChange={(ev) => setBaseUrl(ev.target.value)}
          />
        </Field>
        <Field
          id={`${id}-cred`}
          label={existing ? 'Replace the credential' : 'Credential'}
          hint={
            existing
              ? existing.has_credential
                ? 'A credential is stored (it is never shown). Leave empty to keep it.'
                : 'No credential is stored.'
              : `${kind.credentialHint}. Stored encrypted on this computer and never shown again.`
          }
        >
          <input
            id={`${id}-cred`}
            type="password"
            autoComplete="off"
            value={credential}
            onChange={(ev) => setCredential(ev.target.value)}
          />
        </Field>
        {kind.options.map((o) => (
          <Field key={o.key} id={`${id}-${o.key}`} label={o.label} hint={o.hint}>
            {type === 'generic' ? (
              <textarea
                id={`${id}-${o.key}`}
                className="code"
                rows={8}
                spellCheck={false}
                value={options[o.key] ?? ''}
                onChange={(ev) => setOptions({ ...options, [o.key]: ev.target.value })}
              />
            ) : (
              <input
                id={`${id}-${o.key}`}
                value={options[o.key] ?? ''}
                onChange={(ev) => setOptions({ ...options, [o.key]: ev.target.value })}
              />
            )}
          </Field>
        ))}
        <Field
          id={`${id}-rps`}
          label="Requests per second at most"
          hint="Export Manager polls politely; lower this if the vendor rate-limits you."
        >
          <input
            id={`${id}-rps`}
            type="number"
            min="0.1"
            step="0.1"
            value={rps}
            onChange={(ev) => setRps(ev.target.value)}
          />
        </Field>
        <InlineError error={error} />
        <DialogActions
          onCancel={onClose}
          label={existing ? 'Save' : 'Add provider'}
          busyLabel="Saving…"
          busy={busy}
        />
      </form>
    </Modal>
  );
}

function ProviderCard({ p, onEdit, onDelete }: { p: Provider; onEdit(): void; onDelete(): void }) {
  const [test, setTest] = useState<ProviderTestResult | 'testing' | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const runTest = async () => {
    setTest('testing');
    setTestError(null);
    try {
      setTest(await api.testProvider(p.id));
    } catch (err) {
      setTest(null);
      setTestError(describeError(err));
    }
  };
  return (
    <article className="card provider" aria-label={`Provider ${p.name}`} data-testid="provider">
      <header className="card-head">
        <h2>{p.name}</h2>
        <span className="badge badge-idle">{providerKinds[p.type].label}</span>
        <span className="spacer" />
        <button type="button" onClick={() => void runTest()} disabled={test === 'testing'}>
          {test === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" onClick={() => navigate(`exports/new?provider=${p.id}`)}>
          Export…
        </button>
        <button type="button" onClick={onEdit}>
          Edit
        </button>
        <button type="button" className="danger" onClick={onDelete}>
          Delete
        </button>
      </header>
      <p className="muted">
        <code>{p.base_url}</code> · {p.has_credential ? 'credential stored' : 'no credential'} · at
        most {p.requests_per_second} requests/s · added <RelativeTime at={p.created_at} />
      </p>
      {test && test !== 'testing' ? (
        <p
          className={test.ok ? 'test-ok' : 'inline-error'}
          role="status"
          data-testid="provider-test"
        >
          {test.ok ? '✓ Connected' : '✗ Not connected'}: {test.message} (
          {test.status ? `HTTP ${test.status}, ` : ''}
          {Math.round(test.latency_ms)} ms)
        </p>
      ) : null}
      <InlineError error={testError} />
    </article>
  );
}

export function ProvidersScreen() {
  const { items, error } = useStore((s) => s.providers);
  const [editing, setEditing] = useState<Provider | 'new' | null>(null);
  const [confirmDialog, confirm] = useConfirm();
  useEffect(() => void useStore.getState().loadProviders(), []);

  const remove = async (p: Provider) => {
    const yes = await confirm({
      title: `Delete ${p.name}?`,
      body: 'Its stored credential is erased. Exports already downloaded from it stay; schedules that use it will fail until they point at another provider.',
      action: 'Delete provider',
    });
    if (yes)
      await attempt(async () => {
        await api.deleteProvider(p.id);
        await useStore.getState().loadProviders();
      }, `${p.name} deleted.`);
  };

  return (
    <>
      <div className="toolbar">
        <span className="muted summary">
          {items ? `${items.length} provider${items.length === 1 ? '' : 's'}` : ''}
        </span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          Add a provider
        </button>
      </div>
      {editing ? (
        <ProviderDialog
          existing={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {confirmDialog}
      {error ? <ErrorBanner what="Could not load providers" error={error} /> : null}
      {!items ? (
        error ? null : (
          <p className="muted loading">Loading providers…</p>
        )
      ) : items.length === 0 ? (
        <EmptyState
          title="No providers yet"
          body="Connect a vendor (DataDriver, HookBridge, DealMachine, Dynamic, another Export Manager or any export API) and Export Manager creates its exports, polls them politely and saves the files for you."
        >
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            Add a provider
          </button>
        </EmptyState>
      ) : (
        <div className="cards">
          {items.map((p) => (
            <ProviderCard
              key={p.id}
              p={p}
              onEdit={() => setEditing(p)}
              onDelete={() => void remove(p)}
            />
          ))}
        </div>
      )}
    </>
  );
}
