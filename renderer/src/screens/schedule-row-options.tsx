// Two schedule choices about rows: the key column that matches rows between runs (for "what
// changed"), and "only rows since the last run" on a growing id or time column.
import { useEffect } from 'react';
import { defaultKey } from '../../../shared/change-key.ts';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import type { ExportCreate } from '../../../shared/schemas/exports.ts';
import { useStore } from '../store.ts';
import { Field } from '../ui/kit.tsx';

export interface RowOptions {
  /** '' keeps the default key. */
  readonly changesKey: string;
  /** '' exports every row each run. */
  readonly incremental: string;
}

const markTypes: readonly string[] = ['integer', 'real', 'timestamp'];

/** The columns each run's file holds: the request's selection of its dataset's columns. */
function useRunColumns(request: ExportCreate | null): DatasetColumn[] | null {
  const datasets = useStore((s) => s.datasets);
  useEffect(() => {
    if (!useStore.getState().datasets) void useStore.getState().loadDatasets();
  }, []);
  const ds = request?.dataset ? datasets?.find((d) => d.name === request.dataset) : undefined;
  if (!ds) return null;
  if (!request?.columns?.length) return ds.columns;
  return request.columns
    .map((name) => ds.columns.find((c) => c.name === name))
    .filter((c): c is DatasetColumn => c !== undefined);
}

export function ScheduleRowOptions({
  id,
  request,
  value,
  onChange,
  keepFresh,
}: {
  id: string;
  request: ExportCreate | null;
  value: RowOptions;
  onChange: (v: RowOptions) => void;
  keepFresh: boolean;
}) {
  const columns = useRunColumns(request);
  const names = columns?.map((c) => c.name) ?? [];
  const marks = columns?.filter((c) => markTypes.includes(c.type)) ?? [];
  return (
    <div className="row">
      <Field
        id={`${id}-key`}
        label="Match rows between runs by"
        hint="What changed since the previous run (+added −removed ~changed) pairs rows with the same value in this column."
      >
        {columns ? (
          <select
            id={`${id}-key`}
            value={value.changesKey}
            onChange={(ev) => onChange({ ...value, changesKey: ev.target.value })}
          >
            <option value="">Default ({defaultKey(names)})</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={`${id}-key`}
            className="code"
            value={value.changesKey}
            placeholder="id, or the first column ending in _id"
            onChange={(ev) => onChange({ ...value, changesKey: ev.target.value.trim() })}
          />
        )}
      </Field>
      {request?.dataset ? (
        <Field
          id={`${id}-incr`}
          label="Rows each run exports"
          hint={
            keepFresh
              ? 'Only rows since the last run cannot be combined with keep fresh.'
              : 'Only rows since the last run: each run exports the rows above the highest value the last completed run exported.'
          }
        >
          <select
            id={`${id}-incr`}
            value={value.incremental}
            disabled={keepFresh && value.incremental === ''}
            onChange={(ev) => onChange({ ...value, incremental: ev.target.value })}
          >
            <option value="">All rows, every run</option>
            {marks.map((c) => (
              <option key={c.name} value={c.name}>
                Only rows since the last run, by {c.name}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
    </div>
  );
}
