// Datasets: row counts, columns and time column; import a file with live progress; delete.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Dataset } from '../../../shared/schemas/datasets.ts';
import { api, describeError } from '../api.ts';
import { nameFromFile } from '../form-logic.ts';
import { chooseFile, isDesktop } from '../desktop.ts';
import { pathsAreOn } from '../team-engine.ts';
import { bytes, count } from '../format.ts';
import { navigate } from '../router.ts';
import { attempt, useStore } from '../store.ts';
import {
  DialogActions,
  EmptyState,
  ErrorBanner,
  Field,
  InlineError,
  Modal,
  ProgressBar,
  StatusBadge,
  useConfirm,
} from '../ui/kit.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';

function ImportDialog({ onClose }: { onClose(): void }) {
  const id = useId();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [timeColumn, setTimeColumn] = useState('');
  const [indexColumns, setIndexColumns] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = async () => {
    const p = await chooseFile('Import a data file');
    if (!p) return;
    setPath(p);
    if (!name) setName(nameFromFile(p));
  };

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    const indexed = [
      ...new Set(
        indexColumns
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      ),
    ];
    try {
      await api.importDataset({
        name: name.trim() || nameFromFile(path),
        path: path.trim(),
        ...(timeColumn.trim() ? { time_column: timeColumn.trim() } : {}),
        ...(indexed.length > 0 ? { index_columns: indexed } : {}),
      });
      void useStore.getState().loadDatasets();
      onClose();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title="Import a dataset" onClose={onClose}>
      <form className="stack" onSubmit={(ev) => void submit(ev)}>
        <Field
          id={`${id}-path`}
          label="File"
          hint={`A CSV (with a header row), CSV.gz or JSON Lines file on ${pathsAreOn()}, as an absolute path.`}
        >
          <div className="input-with-button">
            <input
              id={`${id}-path`}
              value={path}
              required
              placeholder="/home/me/leads.csv.gz"
              onChange={(ev) => setPath(ev.target.value)}
              onBlur={() => !name && path && setName(nameFromFile(path))}
            />
            {isDesktop() ? (
              <button type="button" onClick={() => void pick()}>
                Choose…
              </button>
            ) : null}
          </div>
        </Field>
        <Field
          id={`${id}-name`}
          label="Dataset name"
          hint="Letters, digits, _ and -; it starts with a letter. Exports and the API use it."
        >
          <input
            id={`${id}-name`}
            value={name}
            required
            pattern="[A-Za-z][A-Za-z0-9_\-]{0,62}"
            onChange={(ev) => setName(ev.target.value)}
          />
        </Field>
        <Field
          id={`${id}-time`}
          label="Time column"
          hint="Optional: the column exports filter by time range. Found by itself when one is called created_at, timestamp or similar."
        >
          <input
            id={`${id}-time`}
            value={timeColumn}
            onChange={(ev) => setTimeColumn(ev.target.value)}
          />
        </Field>
        <Field
          id={`${id}-index`}
          label="Indexed columns"
          hint="Optional, separated by commas (up to 8): columns you export one value at a time, such as a customer or an id. Those exports then read only their own rows."
        >
          <input
            id={`${id}-index`}
            value={indexColumns}
            placeholder="customer_id"
            onChange={(ev) => setIndexColumns(ev.target.value)}
          />
        </Field>
        <InlineError error={error} />
        <DialogActions
          onCancel={onClose}
          label="Import"
          busyLabel="Starting…"
          busy={busy}
          disabled={!path.trim()}
        />
      </form>
    </Modal>
  );
}

function DatasetCard({ d, onDelete }: { d: Dataset; onDelete(d: Dataset): void }) {
  return (
    <article className="card dataset" data-testid="dataset" aria-label={`Dataset ${d.name}`}>
      <header className="card-head">
        <h2>{d.name}</h2>
        <StatusBadge status={d.status} />
        <span className="spacer" />
        {d.status === 'ready' ? (
          <button type="button" onClick={() => navigate(`exports/new?dataset=${d.name}`)}>
            Export…
          </button>
        ) : null}
        {d.status !== 'importing' ? (
          <button
            type="button"
            className="danger"
            onClick={() => onDelete(d)}
            aria-label={`Delete ${d.name}`}
          >
            Delete
          </button>
        ) : null}
      </header>
      {d.status === 'importing' ? (
        <ProgressBar
          pct={d.progress_pct}
          stage={`${bytes(d.bytes_done)}${d.bytes_total ? ` of ${bytes(d.bytes_total)}` : ''} read`}
          label={`Import of ${d.name}`}
        />
      ) : null}
      {d.error ? (
        <p className="inline-error" role="alert">
          {d.error.message}
        </p>
      ) : null}
      <p className="muted">
        {count(d.row_count)} rows · {d.columns.length} columns
        {d.time_column ? ` · time column ${d.time_column}` : ''}
        {d.source ? ` · from ${d.source}` : ''} · updated <RelativeTime at={d.updated_at} />
      </p>
      <div className="columns">
        {d.columns.map((c) => (
          <span key={c.name} className="chip" title={c.indexed ? `${c.type}, indexed` : c.type}>
            {c.name}
            <span className="chip-type">
              {c.type}
              {c.indexed ? ' · indexed' : ''}
            </span>
          </span>
        ))}
      </div>
    </article>
  );
}

export function DatasetsScreen() {
  const datasets = useStore((s) => s.datasets);
  const error = useStore((s) => s.datasetsError);
  const [importing, setImporting] = useState(false);
  const [confirmDialog, confirm] = useConfirm();
  useEffect(() => void useStore.getState().loadDatasets(), []);

  const remove = async (d: Dataset) => {
    const yes = await confirm({
      title: `Delete the dataset ${d.name}?`,
      body: 'Its rows are deleted from Export Manager. Exports already made from it stay, and the file you imported is not touched.',
      action: 'Delete dataset',
    });
    if (yes)
      await attempt(async () => {
        await api.deleteDataset(d.name);
        await useStore.getState().loadDatasets();
      }, `Dataset ${d.name} deleted.`);
  };

  return (
    <>
      <div className="toolbar">
        <span className="muted summary">
          {datasets ? `${datasets.length} dataset${datasets.length === 1 ? '' : 's'}` : ''}
        </span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setImporting(true)}>
          Import a file
        </button>
      </div>
      {importing ? <ImportDialog onClose={() => setImporting(false)} /> : null}
      {confirmDialog}
      {error ? <ErrorBanner what="Could not load datasets" error={error} /> : null}
      {!datasets ? (
        error ? null : (
          <p className="muted loading">Loading datasets…</p>
        )
      ) : datasets.length === 0 ? (
        <EmptyState
          title="No datasets yet"
          body="A dataset is a table Export Manager can export: import a CSV, CSV.gz or JSON Lines file and its columns and types are found for you."
        >
          <button type="button" className="primary" onClick={() => setImporting(true)}>
            Import a file
          </button>
        </EmptyState>
      ) : (
        <div className="cards">
          {datasets.map((d) => (
            <DatasetCard key={d.name} d={d} onDelete={(x) => void remove(x)} />
          ))}
        </div>
      )}
    </>
  );
}
