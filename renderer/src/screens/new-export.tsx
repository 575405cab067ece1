// A new export: a dataset's columns, time range and conditions from its real columns, or a
// vendor's own parameters as JSON with its example prefilled. The API's errors show inline.
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { Dataset } from '../../../shared/schemas/datasets.ts';
import type { ExportCreate, WhereOp } from '../../../shared/schemas/exports.ts';
import { whereOps } from '../../../shared/vocabulary.ts';
import { api, ApiFailure, describeError } from '../api.ts';
import { sectionOf, typedValue, type Condition, type Section } from '../form-logic.ts';
import { count } from '../format.ts';
import { providerKinds } from '../provider-kinds.ts';
import { navigate } from '../router.ts';
import { useStore } from '../store.ts';
import { EmptyState, Field, FolderField, InlineError } from '../ui/kit.tsx';

const opWords: Record<WhereOp, string> = {
  eq: 'is',
  neq: 'is not',
  in: 'is one of',
  not_in: 'is none of',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  contains: 'contains',
  starts_with: 'starts with',
  ends_with: 'ends with',
  is_null: 'is empty',
  is_not_null: 'is not empty',
};

function toIso(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

export function NewExportScreen({
  dataset: initialDataset,
  provider: initialProvider,
}: {
  dataset: string | null;
  provider: string | null;
}) {
  const datasets = useStore((s) => s.datasets);
  const providers = useStore((s) => s.providers.items);
  const settings = useStore((s) => s.settings);
  const id = useId();
  const ready = useMemo(() => (datasets ?? []).filter((d) => d.status === 'ready'), [datasets]);
  const [kind, setKind] = useState<'dataset' | 'provider'>(
    initialProvider ? 'provider' : 'dataset',
  );
  const [datasetName, setDatasetName] = useState(initialDataset ?? '');
  const [providerId, setProviderId] = useState(initialProvider ?? '');
  const [columns, setColumns] = useState<Set<string> | null>(null);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [conditions, setConditions] = useState<Condition[]>([]);
  const [format, setFormat] = useState<'csv' | 'jsonl'>('csv');
  const [compression, setCompression] = useState<'gzip' | 'none'>('gzip');
  const [name, setName] = useState('');
  const [dir, setDir] = useState('');
  const [decompress, setDecompress] = useState(true);
  const [params, setParams] = useState<string | null>(null);
  const [errors, setErrors] = useState<Partial<Record<Section, string>>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const s = useStore.getState();
    void s.loadDatasets();
    void s.loadProviders();
    if (!s.settings) void s.loadSettings();
  }, []);

  const defaultDir = settings?.default_destination ?? null;
  useEffect(() => {
    if (defaultDir) setDir((d) => d || defaultDir);
  }, [defaultDir]);

  const dataset: Dataset | undefined =
    ready.find((d) => d.name === datasetName) ?? ready[0] ?? undefined;
  const provider = (providers ?? []).find((p) => p.id === providerId) ?? providers?.[0];
  const paramsText =
    params ?? JSON.stringify(provider ? providerKinds[provider.type].exampleParams : {}, null, 2);
  const paramsError = useMemo(() => {
    try {
      const v: unknown = JSON.parse(paramsText);
      return typeof v === 'object' && v !== null && !Array.isArray(v)
        ? null
        : 'The parameters must be a JSON object: { … }.';
    } catch (err) {
      return `Not valid JSON: ${(err as Error).message}`;
    }
  }, [paramsText]);

  const typeOf = (col: string) => dataset?.columns.find((c) => c.name === col)?.type;

  function request(): ExportCreate {
    const destination = dir.trim() ? { dir: dir.trim(), decompress } : undefined;
    const common = {
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(destination ? { destination } : {}),
    };
    if (kind === 'provider')
      return {
        provider: provider?.id ?? '',
        params: JSON.parse(paramsText) as Record<string, unknown>,
        ...common,
      };
    const where = conditions
      .filter((c) => c.column)
      .map((c) => ({ column: c.column, op: c.op, value: typedValue(c, typeOf(c.column)) }));
    const filter = {
      ...(toIso(start) ? { start_time: toIso(start) } : {}),
      ...(toIso(end) ? { end_time: toIso(end) } : {}),
      ...(where.length ? { where } : {}),
    };
    return {
      dataset: dataset?.name ?? '',
      format,
      compression,
      ...(columns
        ? { columns: dataset!.columns.map((c) => c.name).filter((c) => columns.has(c)) }
        : {}),
      ...(Object.keys(filter).length ? { filter } : {}),
      ...common,
    };
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (kind === 'provider' && paramsError) {
      setErrors({ params: paramsError });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const created = await api.createExport(request());
      useStore.getState().upsertExports([created]);
      navigate(`exports/${created.id}`);
    } catch (err) {
      const section = err instanceof ApiFailure ? sectionOf(err) : 'form';
      setErrors({ [section]: describeError(err) });
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
      <fieldset className="segmented">
        <legend>Export from</legend>
        <label className={kind === 'dataset' ? 'on' : ''}>
          <input
            type="radio"
            name="kind"
            checked={kind === 'dataset'}
            onChange={() => setKind('dataset')}
          />
          A local dataset
        </label>
        <label className={kind === 'provider' ? 'on' : ''}>
          <input
            type="radio"
            name="kind"
            checked={kind === 'provider'}
            onChange={() => setKind('provider')}
          />
          A vendor
        </label>
      </fieldset>

      {kind === 'dataset' ? (
        ready.length === 0 ? (
          <p className="muted">
            No dataset is ready. <a href="#/datasets">Import one</a>.
          </p>
        ) : (
          <>
            <Field id={`${id}-ds`} label="Dataset">
              <select
                id={`${id}-ds`}
                value={dataset?.name ?? ''}
                onChange={(ev) => {
                  setDatasetName(ev.target.value);
                  setColumns(null);
                  setConditions([]);
                }}
              >
                {ready.map((d) => (
                  <option key={d.name} value={d.name}>
                    {d.name} ({count(d.row_count)} rows)
                  </option>
                ))}
              </select>
            </Field>
            <fieldset className="group">
              <legend>Columns</legend>
              <div className="checks">
                {dataset!.columns.map((c) => (
                  <label key={c.name} className="check chip-check">
                    <input
                      type="checkbox"
                      checked={columns ? columns.has(c.name) : true}
                      onChange={(ev) => {
                        const next = new Set(columns ?? dataset!.columns.map((x) => x.name));
                        if (ev.target.checked) next.add(c.name);
                        else next.delete(c.name);
                        setColumns(next);
                      }}
                    />
                    {c.name} <span className="chip-type">{c.type}</span>
                  </label>
                ))}
              </div>
              <InlineError error={errors.columns} />
            </fieldset>
            <fieldset className="group">
              <legend>Time range</legend>
              {dataset!.time_column ? (
                <div className="row">
                  <Field id={`${id}-start`} label={`${dataset!.time_column} from`}>
                    <input
                      id={`${id}-start`}
                      type="datetime-local"
                      value={start}
                      onChange={(ev) => setStart(ev.target.value)}
                    />
                  </Field>
                  <Field id={`${id}-end`} label="to">
                    <input
                      id={`${id}-end`}
                      type="datetime-local"
                      value={end}
                      onChange={(ev) => setEnd(ev.target.value)}
                    />
                  </Field>
                </div>
              ) : (
                <p className="muted">This dataset has no time column: every row is exported.</p>
              )}
              <InlineError error={errors.time} />
            </fieldset>
            <fieldset className="group">
              <legend>Conditions</legend>
              {conditions.length === 0 ? (
                <p className="muted">All rows. Add a condition to narrow them.</p>
              ) : null}
              {conditions.map((c, i) => (
                <div className="row condition" key={c.key}>
                  <select
                    aria-label={`Condition ${i + 1} column`}
                    value={c.column}
                    onChange={(ev) =>
                      setConditions(
                        conditions.map((x) =>
                          x.key === c.key ? { ...x, column: ev.target.value } : x,
                        ),
                      )
                    }
                  >
                    {dataset!.columns.map((col) => (
                      <option key={col.name} value={col.name}>
                        {col.name}
                      </option>
                    ))}
                  </select>
                  <select
                    aria-label={`Condition ${i + 1} operator`}
                    value={c.op}
                    onChange={(ev) =>
                      setConditions(
                        conditions.map((x) =>
                          x.key === c.key ? { ...x, op: ev.target.value as WhereOp } : x,
                        ),
                      )
                    }
                  >
                    {whereOps.map((op) => (
                      <option key={op} value={op}>
                        {opWords[op]}
                      </option>
                    ))}
                  </select>
                  <input
                    aria-label={`Condition ${i + 1} value`}
                    value={c.value}
                    placeholder={c.op === 'in' ? 'TX, CA' : (typeOf(c.column) ?? 'value')}
                    onChange={(ev) =>
                      setConditions(
                        conditions.map((x) =>
                          x.key === c.key ? { ...x, value: ev.target.value } : x,
                        ),
                      )
                    }
                  />
                  <button
                    type="button"
                    className="icon"
                    aria-label={`Remove condition ${i + 1}`}
                    onClick={() => setConditions(conditions.filter((x) => x.key !== c.key))}
                  >
                    ×
                  </button>
                </div>
              ))}
              <button
                type="button"
                onClick={() =>
                  setConditions([
                    ...conditions,
                    { key: Date.now(), column: dataset!.columns[0]!.name, op: 'eq', value: '' },
                  ])
                }
              >
                Add a condition
              </button>
              <InlineError error={errors.conditions} />
            </fieldset>
            <div className="row">
              <Field id={`${id}-format`} label="Format">
                <select
                  id={`${id}-format`}
                  value={format}
                  onChange={(ev) => setFormat(ev.target.value as 'csv' | 'jsonl')}
                >
                  <option value="csv">CSV</option>
                  <option value="jsonl">JSON Lines</option>
                </select>
              </Field>
              <Field id={`${id}-comp`} label="Compression">
                <select
                  id={`${id}-comp`}
                  value={compression}
                  onChange={(ev) => setCompression(ev.target.value as 'gzip' | 'none')}
                >
                  <option value="gzip">gzip</option>
                  <option value="none">none</option>
                </select>
              </Field>
            </div>
          </>
        )
      ) : (providers ?? []).length === 0 ? (
        <p className="muted">
          No vendor is connected. <a href="#/providers">Add a provider</a>.
        </p>
      ) : (
        <>
          <Field id={`${id}-prov`} label="Provider">
            <select
              id={`${id}-prov`}
              value={provider?.id ?? ''}
              onChange={(ev) => {
                setProviderId(ev.target.value);
                setParams(null);
              }}
            >
              {(providers ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({providerKinds[p.type].label})
                </option>
              ))}
            </select>
          </Field>
          <Field
            id={`${id}-params`}
            label="Parameters (the vendor's own create body, JSON)"
            hint={
              provider
                ? `Prefilled with ${providerKinds[provider.type].label}'s example; edit to match what you need.`
                : null
            }
            error={errors.params ?? paramsError}
          >
            <textarea
              id={`${id}-params`}
              className="code"
              rows={10}
              spellCheck={false}
              value={paramsText}
              aria-invalid={paramsError ? true : undefined}
              onChange={(ev) => setParams(ev.target.value)}
            />
          </Field>
        </>
      )}

      <div className="row">
        <Field id={`${id}-name`} label="Name" hint="Also the file name. Optional.">
          <input
            id={`${id}-name`}
            value={name}
            placeholder={kind === 'dataset' ? dataset?.name : provider?.name}
            onChange={(ev) => setName(ev.target.value)}
          />
        </Field>
        <FolderField
          id={`${id}-dir`}
          label="Also save a copy in"
          hint={
            settings?.default_destination
              ? `Default: ${settings.default_destination}`
              : 'A folder on this computer. Optional.'
          }
          error={errors.destination}
          value={dir}
          onChange={setDir}
        />
      </div>
      {dir.trim() ? (
        <label className="check">
          <input
            type="checkbox"
            checked={decompress}
            onChange={(ev) => setDecompress(ev.target.checked)}
          />
          Save it decompressed
        </label>
      ) : null}

      <InlineError error={errors.form} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create export'}
        </button>
      </div>
    </form>
  );
}
