// A new export: a dataset's columns, time range and conditions from its real columns, or a
// vendor's own parameters as JSON with its example prefilled. Every mistake found before sending
// shows at once next to its field; an API error shows next to the field its details name. A
// dataset export shows how many rows it would write; when none, Create asks to be pressed again.
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { ExportCreate } from '../../../shared/schemas/exports.ts';
import { api, ApiFailure, describeError } from '../api.ts';
import {
  checkDatasetDraft,
  checkProviderDraft,
  datasetRequest,
  emptyDatasetDraft,
  parseParams,
  providerRequest,
  type DatasetDraft,
  type OutputDraft,
} from '../export-draft.ts';
import { hasErrors, noErrors, placeError, type FormErrors } from '../form-errors.ts';
import { providerKinds } from '../provider-kinds.ts';
import { navigate } from '../router.ts';
import { useStore } from '../store.ts';
import { EmptyState, InlineError } from '../ui/kit.tsx';
import { useMatchCount } from './new-export/dataset-queries.ts';
import { DatasetFields } from './new-export/dataset-fields.tsx';
import { MatchCountLine } from './new-export/match-count.tsx';
import { OutputFields } from './new-export/output-fields.tsx';
import { ProviderFields } from './new-export/provider-fields.tsx';

type Kind = 'dataset' | 'provider';

export function NewExportScreen({
  dataset: initialDataset,
  provider: initialProvider,
}: {
  dataset: string | null;
  provider: string | null;
}) {
  const datasets = useStore((s) => s.datasets);
  const providers = useStore((s) => s.providers.items);
  const defaultDir = useStore((s) => s.settings?.default_destination ?? null);
  const id = useId();
  const ready = useMemo(() => (datasets ?? []).filter((d) => d.status === 'ready'), [datasets]);
  const [kind, setKind] = useState<Kind>(initialProvider ? 'provider' : 'dataset');
  const [draft, setDraft] = useState<DatasetDraft>(() => emptyDatasetDraft(initialDataset ?? ''));
  const [providerId, setProviderId] = useState(initialProvider ?? '');
  const [params, setParams] = useState<string | null>(null);
  const [output, setOutput] = useState<OutputDraft>({ name: '', dir: '', decompress: true });
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const s = useStore.getState();
    void s.loadDatasets();
    void s.loadProviders();
    if (!s.settings) void s.loadSettings();
  }, []);
  useEffect(() => {
    if (defaultDir) setOutput((o) => (o.dir ? o : { ...o, dir: defaultDir }));
  }, [defaultDir]);

  const dataset = ready.find((d) => d.name === draft.dataset) ?? ready[0];
  const provider = (providers ?? []).find((p) => p.id === providerId) ?? providers?.[0];
  const paramsText =
    params ?? JSON.stringify(provider ? providerKinds[provider.type].exampleParams : {}, null, 2);
  const match = useMatchCount(draft, kind === 'dataset' ? dataset : undefined);
  // The draft the user already pressed Create for while it matched nothing: the next press creates.
  const [confirmedEmpty, setConfirmedEmpty] = useState<DatasetDraft | null>(null);
  const confirming = kind === 'dataset' && match.state === 'none' && confirmedEmpty === draft;
  const parsed = parseParams(paramsText);
  const paramsError = 'error' in parsed ? parsed.error : null;

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    let body: ExportCreate;
    let found: FormErrors;
    if (kind === 'dataset') {
      if (!dataset) return;
      found = checkDatasetDraft(draft, dataset, output);
      body = datasetRequest(draft, dataset, output);
    } else {
      found = checkProviderDraft(provider?.id ?? '', paramsText, output);
      body = providerRequest(provider?.id ?? '', paramsText, output);
    }
    setErrors(found);
    if (hasErrors(found)) return;
    if (kind === 'dataset' && match.state === 'none' && confirmedEmpty !== draft) {
      setConfirmedEmpty(draft);
      return;
    }
    setBusy(true);
    try {
      const created = await api.createExport(body);
      useStore.getState().upsertExports([created]);
      navigate(`exports/${created.id}`);
    } catch (err) {
      const text = describeError(err);
      setErrors(
        err instanceof ApiFailure
          ? placeError(err, body, text)
          : { sections: { form: text }, conditions: {} },
      );
    } finally {
      setBusy(false);
    }
  }

  if (datasets === null && providers === null) return <p className="muted loading">Loading…</p>;
  if (ready.length === 0 && (providers ?? []).length === 0)
    return (
      <EmptyState
        title="Nothing to export yet"
        body="Import a dataset (a CSV or JSON Lines file), or connect a vendor in Providers; then come back here."
      >
        <a className="button primary" href="#/datasets">
          Import a dataset
        </a>
        <a className="button" href="#/providers">
          Add a provider
        </a>
      </EmptyState>
    );

  return (
    <form
      className="card form"
      onSubmit={(ev) => void submit(ev)}
      aria-label="New export"
      noValidate
    >
      <a href="#/exports" className="back">
        ← All exports
      </a>
      <KindSwitch
        kind={kind}
        onChange={(k) => {
          setKind(k);
          setErrors(noErrors);
        }}
      />
      {kind === 'dataset' ? (
        dataset ? (
          <DatasetFields
            id={id}
            datasets={ready}
            dataset={dataset}
            draft={draft}
            errors={errors}
            matchLine={<MatchCountLine match={match} confirming={confirming} />}
            onChange={(patch) => setDraft((d) => ({ ...d, ...patch }))}
            onPickDataset={(name) => setDraft(emptyDatasetDraft(name))}
          />
        ) : (
          <p className="muted">
            No dataset is ready. <a href="#/datasets">Import one</a>.
          </p>
        )
      ) : provider ? (
        <ProviderFields
          id={id}
          providers={providers ?? []}
          provider={provider}
          paramsText={paramsText}
          paramsError={paramsError}
          errors={errors}
          onPickProvider={(p) => {
            setProviderId(p);
            setParams(null);
          }}
          onParams={setParams}
        />
      ) : (
        <p className="muted">
          No vendor is connected. <a href="#/providers">Add a provider</a>.
        </p>
      )}
      <OutputFields
        id={id}
        draft={output}
        placeholder={kind === 'dataset' ? dataset?.name : provider?.name}
        defaultDir={defaultDir}
        errors={errors}
        onChange={(patch) => setOutput((o) => ({ ...o, ...patch }))}
      />
      <InlineError error={errors.sections.form} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : confirming ? 'Create anyway (no rows)' : 'Create export'}
        </button>
      </div>
    </form>
  );
}

function KindSwitch({ kind, onChange }: { kind: Kind; onChange(kind: Kind): void }) {
  return (
    <fieldset className="segmented">
      <legend>Export from</legend>
      {(
        [
          ['dataset', 'A local dataset'],
          ['provider', 'A vendor'],
        ] as const
      ).map(([k, label]) => (
        <label key={k} className={kind === k ? 'on' : ''}>
          <input type="radio" name="kind" checked={kind === k} onChange={() => onChange(k)} />
          {label}
        </label>
      ))}
    </fieldset>
  );
}
