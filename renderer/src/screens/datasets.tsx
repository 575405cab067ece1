// Datasets with their row counts, columns and import progress.
import { useEffect } from 'react';
import { count } from '../format.ts';
import { useStore } from '../store.ts';
import { EmptyState } from './empty-state.tsx';

export function DatasetsScreen() {
  const datasets = useStore((s) => s.datasets);
  const error = useStore((s) => s.datasetsError);
  useEffect(() => void useStore.getState().loadDatasets(), []);

  if (error)
    return (
      <div className="banner error" role="alert">
        Could not load datasets: {error}
      </div>
    );
  if (!datasets) return <p className="muted">Loading datasets…</p>;
  if (datasets.length === 0) {
    return (
      <EmptyState
        title="No datasets"
        body='Import a CSV, CSV.gz or JSON Lines file with POST /v1/datasets { "name", "path" }; it appears here with its columns.'
      />
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Datasets">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th className="num">Rows</th>
            <th>Time column</th>
            <th>Columns</th>
          </tr>
        </thead>
        <tbody>
          {datasets.map((d) => (
            <tr key={d.name}>
              <td className="name">
                {d.name}
                {d.error ? <div className="row-error">{d.error.message}</div> : null}
              </td>
              <td>
                <span
                  className={`badge badge-${d.status === 'ready' ? 'completed' : d.status === 'failed' ? 'failed' : 'processing'}`}
                >
                  {d.status}
                </span>
                {d.status === 'importing' ? (
                  <div className="progress">
                    <div
                      className="progress-track"
                      role="progressbar"
                      aria-valuenow={d.progress_pct}
                      aria-label={`Import of ${d.name}`}
                    >
                      <div className="progress-bar" style={{ width: `${d.progress_pct}%` }} />
                    </div>
                  </div>
                ) : null}
              </td>
              <td className="num">{count(d.row_count)}</td>
              <td>{d.time_column ?? '—'}</td>
              <td className="columns">
                {d.columns.map((c) => (
                  <span key={c.name} className="chip" title={c.type}>
                    {c.name}
                    <span className="chip-type">{c.type}</span>
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
