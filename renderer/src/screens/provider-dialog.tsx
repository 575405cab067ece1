// Adding or editing a provider: saving tests the connection at once, and a failed test keeps the
// dialog open with the vendor's own words, so a wrong key or address is seen before anything runs.
import { useId, useState, type FormEvent } from 'react';
import type { Provider, ProviderType } from '../../../shared/schemas/providers.ts';
import { providerTypes } from '../../../shared/vocabulary.ts';
import { api, ApiFailure, describeError } from '../api.ts';
import { fieldOf } from '../form-errors.ts';
import { useProviderHealth, type ProviderHealth } from '../provider-health.ts';
import { providerKinds } from '../provider-kinds.ts';
import { useStore } from '../store.ts';
import { DialogActions, Field, InlineError, Modal } from '../ui/kit.tsx';

function optionText(type: ProviderType, key: string, value: unknown): string {
  if (value === undefined) return '';
  return type === 'generic' && key === 'config' ? JSON.stringify(value, null, 2) : String(value);
}

export function ProviderDialog({
  existing: given,
  onClose,
}: {
  existing: Provider | null;
  onClose(): void;
}) {
  // Once a new provider is saved (and its test failed), further saves edit that one.
  const [saved, setSaved] = useState<Provider | null>(null);
  const existing = saved ?? given;
  const [failedTest, setFailedTest] = useState<ProviderHealth | null>(null);
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
  // An error with the field it is about ("base_url", "options.environment_id"), or null for none.
  const [error, setError] = useState<{ field: string | null; text: string } | null>(null);
  const errorFor = (field: string) => (error?.field === field ? error.text : null);
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
      const provider = existing
        ? await api.updateProvider(existing.id, body)
        : await api.createProvider({ ...body, type });
      setSaved(provider);
      await useStore.getState().loadProviders();
      setFailedTest(null);
      const health = await api.testProvider(provider.id).then(
        (result) => useProviderHealth.getState().record(provider.id, result),
        () => null,
      );
      if (health && !health.ok) {
        setFailedTest(health);
        return;
      }
      useStore
        .getState()
        .notify(
          'ok',
          `${existing ? 'Provider saved' : 'Provider added'}${health ? '; the connection works.' : '.'}`,
        );
      onClose();
    } catch (err) {
      setError(
        err instanceof SyntaxError
          ? { field: 'options.config', text: `The config is not valid JSON: ${err.message}` }
          : { field: err instanceof ApiFailure ? fieldOf(err) : null, text: describeError(err) },
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
        <Field
          id={`${id}-name`}
          label="Name"
          hint="How this connection appears in Export Manager."
          error={errorFor('name')}
        >
          <input
            id={`${id}-name`}
            value={name}
            placeholder={kind.label}
            onChange={(ev) => setName(ev.target.value)}
          />
        </Field>
        <Field id={`${id}-url`} label="API address" error={errorFor('base_url')}>
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
          error={errorFor('credential')}
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
          <Field
            key={o.key}
            id={`${id}-${o.key}`}
            label={o.label}
            hint={o.hint}
            error={errorFor(`options.${o.key}`)}
          >
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
          error={errorFor('requests_per_second')}
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
        <InlineError
          error={
            error &&
            !['name', 'base_url', 'credential', 'requests_per_second'].includes(
              error.field ?? '',
            ) &&
            !kind.options.some((o) => error.field === `options.${o.key}`)
              ? error.text
              : null
          }
        />
        {failedTest ? (
          <div className="error-box" role="alert" data-testid="provider-dialog-test">
            <strong>Saved, but the connection test failed.</strong>
            <div className="vendor-message">
              {failedTest.message}
              {failedTest.status ? ` (HTTP ${failedTest.status})` : ''}
            </div>
            <div className="muted">
              Fix the address or credential and save again, or close to keep it as it is.
            </div>
          </div>
        ) : null}
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
