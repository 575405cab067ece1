// Every export, live: status, progress with stage, rows, size, times; create and act on them.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Export } from '../../../shared/schemas/exports.ts';
import { api, describeError } from '../api.ts';
import { bytes, count, relative } from '../format.ts';
import { useStore } from '../store.ts';
import { EmptyState } from './empty-state.tsx';

function StatusBadge({ status }: { status: Export['status'] }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

function Progress({ e }: { e: Export }) {
  if (e.status !== 'processing' && e.status !== 'pending') return null;
  return (
    <div className="progress" title={e.progress_stage ?? undefined}>
      <div
        className="progress-track"
        role="progressbar"
        aria-valuenow={e.progress_pct}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-label={`Progress of ${e.name}`}
      >
        <div className="progress-bar" style={{ width: `${e.progress_pct}%` }} />
      </div>
      <span className="progress-stage">{e.progress_stage ?? 'queued'}</span>
    </div>
  );
}

function NewExportForm({ onDone }: { onDone(): void }) {
  const datasets = useStore((s) => s.datasets);
  const [dataset, setDataset] = useState('');
  const [name, setName] = useState('');
  const [format, setFormat] = useState<'csv' | 'jsonl'>('csv');
  const [compression, setCompression] = useState<'gzip' | 'none'>('gzip');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ready = (datasets ?? []).filter((d) => d.status === 'ready');
  const chosen = dataset || ready[0]?.name || '';

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.createExport({
        dataset: chosen,
        format,
        compression,
        ...(name ? { name } : {}),
      });
      useStore.getState().upsertExport(created);
      onDone();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  if (ready.length === 0) return <p className="muted">No dataset is ready to export yet.</p>;
  return (
    <form className="card form-row" onSubmit={(ev) => void submit(ev)} aria-label="New export">
      <label>
        Dataset
        <select value={chosen} onChange={(e) => setDataset(e.target.value)}>
          {ready.map((d) => (
            <option key={d.name} value={d.name}>
              {d.name} ({count(d.row_count)} rows)
            </option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input value={name} placeholder="optional" onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Format
        <select value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'jsonl')}>
          <option value="csv">CSV</option>
          <option value="jsonl">JSON Lines</option>
        </select>
      </label>
      <label>
        Compression
        <select
          value={compression}
          onChange={(e) => setCompression(e.target.value as 'gzip' | 'none')}
        >
          <option value="gzip">gzip</option>
          <option value="none">none</option>
        </select>
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create export'}
      </button>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

function Row({ e, now }: { e: Export; now: number }) {
  const [error, setError] = useState<string | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const source = e.source.type === 'dataset' ? e.source.dataset : `${e.source.provider_type}`;
  return (
    <tr>
      <td className="name">
        {e.name}
        {e.error ? <div className="row-error">{e.error.message}</div> : null}
        {error ? (
          <div className="row-error" role="alert">
            {error}
          </div>
        ) : null}
      </td>
      <td>{source}</td>
      <td>
        <StatusBadge status={e.status} />
        <Progress e={e} />
      </td>
      <td className="num">{count(e.row_count ?? (e.rows_done || null))}</td>
      <td className="num">{bytes(e.byte_size)}</td>
      <td title={e.created_at}>{relative(e.created_at, now)}</td>
      <td title={e.expires_at ?? undefined}>
        {e.status === 'completed' ? relative(e.expires_at, now) : '—'}
      </td>
      <td className="actions">
        {e.status === 'completed' ? (
          <a
            className="button"
            href={`/v1/exports/${e.id}/download`}
            aria-label={`Download ${e.name}`}
          >
            Download
          </a>
        ) : null}
        {e.status === 'pending' || e.status === 'processing' ? (
          <button
            type="button"
            onClick={() => void act(() => api.cancelExport(e.id))}
            aria-label={`Cancel ${e.name}`}
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void act(() => api.recreateExport(e.id))}
            aria-label={`Recreate ${e.name}`}
          >
            Recreate
          </button>
        )}
        <button
          type="button"
          className="danger"
          aria-label={`Delete ${e.name}`}
          onClick={() => {
            if (window.confirm(`Delete "${e.name}" and its files? This cannot be undone.`))
              void act(() => api.deleteExport(e.id));
          }}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

export function ExportsScreen() {
  const exportsById = useStore((s) => s.exports);
  const loaded = useStore((s) => s.exportsLoaded);
  const error = useStore((s) => s.exportsError);
  const [creating, setCreating] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    void useStore.getState().loadExports();
    void useStore.getState().loadDatasets();
    const t = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(t);
  }, []);

  const rows = useMemo(
    () =>
      Object.values(exportsById).sort((a, b) =>
        a.created_at < b.created_at
          ? 1
          : a.created_at > b.created_at
            ? -1
            : b.id.localeCompare(a.id),
      ),
    [exportsById],
  );

  return (
    <>
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          onClick={() => setCreating((c) => !c)}
          aria-expanded={creating}
        >
          {creating ? 'Close' : 'New export'}
        </button>
      </div>
      {creating ? <NewExportForm onDone={() => setCreating(false)} /> : null}
      {error ? (
        <div className="banner error" role="alert">
          Could not load exports: {error}
        </div>
      ) : null}
      {!loaded ? (
        <p className="muted">Loading exports…</p>
      ) : rows.length === 0 ? (
        <EmptyState
          title="No exports yet"
          body="Create an export of a dataset, or call POST /v1/exports from a script. Every export, local or from a vendor, appears here and updates live."
        />
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Exports">
            <thead>
              <tr>
                <th>Name</th>
                <th>Source</th>
                <th>Status</th>
                <th className="num">Rows</th>
                <th className="num">Size</th>
                <th>Created</th>
                <th>Expires</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <Row key={e.id} e={e} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
