// Providers: the vendors Export Manager fetches exports from. Add, edit, test, delete; the
// credential is entered once and never shown again; each shows its health from the last tests.
import { useEffect, useState } from 'react';
import type { Provider } from '../../../shared/schemas/providers.ts';
import { api, describeError } from '../api.ts';
import { useProviderHealth, type ProviderHealth } from '../provider-health.ts';
import { providerKinds } from '../provider-kinds.ts';
import { navigate } from '../router.ts';
import { attempt, useStore } from '../store.ts';
import { EmptyState, ErrorBanner, InlineError, useConfirm } from '../ui/kit.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { ProviderDialog } from './provider-dialog.tsx';

/** "Working · tested 2 minutes ago" or "Failing · last worked 3 days ago", from the last tests. */
function HealthChip({ health }: { health: ProviderHealth | undefined }) {
  if (!health)
    return (
      <span className="badge badge-idle" data-testid="provider-health">
        Not tested yet
      </span>
    );
  return (
    <span
      className={`badge ${health.ok ? 'badge-completed' : 'badge-failed'}`}
      data-testid="provider-health"
    >
      {health.ok ? 'Working' : 'Failing'} · tested <RelativeTime at={health.testedAt} />
      {!health.ok ? (
        health.lastOkAt ? (
          <>
            {' '}
            · last worked <RelativeTime at={health.lastOkAt} />
          </>
        ) : (
          ' · never worked'
        )
      ) : null}
    </span>
  );
}

function ProviderCard({ p, onEdit, onDelete }: { p: Provider; onEdit(): void; onDelete(): void }) {
  const health = useProviderHealth((s) => s.byId[p.id]);
  const [testing, setTesting] = useState(false);
  const [testError, setTestError] = useState<string | null>(null);
  const runTest = async () => {
    setTesting(true);
    setTestError(null);
    try {
      useProviderHealth.getState().record(p.id, await api.testProvider(p.id));
    } catch (err) {
      setTestError(describeError(err));
    } finally {
      setTesting(false);
    }
  };
  return (
    <article className="card provider" aria-label={`Provider ${p.name}`} data-testid="provider">
      <header className="card-head">
        <h2>{p.name}</h2>
        <span className="badge badge-idle">{providerKinds[p.type].label}</span>
        <HealthChip health={health} />
        <span className="spacer" />
        <button type="button" onClick={() => void runTest()} disabled={testing}>
          {testing ? 'Testing…' : 'Test connection'}
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
      {health ? (
        <p
          className={health.ok ? 'test-ok' : 'inline-error'}
          role="status"
          data-testid="provider-test"
        >
          {health.ok ? '✓ Connected' : '✗ Not connected'}: {health.message} (
          {health.status ? `HTTP ${health.status}, ` : ''}
          {Math.round(health.latencyMs)} ms)
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
        useProviderHealth.getState().forget(p.id);
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
