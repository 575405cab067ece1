// A dataset export's own fields: which dataset, its columns, a time range on its time column,
// its conditions, the file's format and compression.
import type { ReactNode } from 'react';
import type { Dataset } from '../../../../shared/schemas/datasets.ts';
import type { DatasetDraft } from '../../export-draft.ts';
import type { FormErrors } from '../../form-errors.ts';
import { count } from '../../format.ts';
import { Field, InlineError } from '../../ui/kit.tsx';
import { ConditionsEditor } from './conditions-editor.tsx';

export function DatasetFields({
  id,
  datasets,
  dataset,
  draft,
  errors,
  matchLine,
  onChange,
  onPickDataset,
}: {
  id: string;
  datasets: readonly Dataset[];
  dataset: Dataset;
  draft: DatasetDraft;
  errors: FormErrors;
  /** How many rows the filter matches, shown under the filters. */
  matchLine: ReactNode;
  onChange(patch: Partial<DatasetDraft>): void;
  onPickDataset(name: string): void;
}) {
  return (
    <>
      <Field id={`${id}-ds`} label="Dataset" error={errors.sections.dataset}>
        <select
          id={`${id}-ds`}
          value={dataset.name}
          onChange={(ev) => onPickDataset(ev.target.value)}
        >
          {datasets.map((d) => (
            <option key={d.name} value={d.name}>
              {d.name} ({count(d.row_count)} rows)
            </option>
          ))}
        </select>
      </Field>
      <ColumnsPicker
        dataset={dataset}
        columns={draft.columns}
        error={errors.sections.columns}
        onChange={(columns) => onChange({ columns })}
      />
      <TimeRange
        id={id}
        dataset={dataset}
        draft={draft}
        error={errors.sections.time}
        onChange={onChange}
      />
      <ConditionsEditor
        dataset={dataset}
        conditions={draft.conditions}
        errors={errors.conditions}
        error={errors.sections.conditions}
        onChange={(conditions) => onChange({ conditions })}
      />
      {matchLine}
      <div className="row">
        <Field id={`${id}-format`} label="Format">
          <select
            id={`${id}-format`}
            value={draft.format}
            onChange={(ev) => onChange({ format: ev.target.value as DatasetDraft['format'] })}
          >
            <option value="csv">CSV</option>
            <option value="jsonl">JSON Lines</option>
          </select>
        </Field>
        <Field id={`${id}-comp`} label="Compression">
          <select
            id={`${id}-comp`}
            value={draft.compression}
            onChange={(ev) =>
              onChange({ compression: ev.target.value as DatasetDraft['compression'] })
            }
          >
            <option value="gzip">gzip</option>
            <option value="none">none</option>
          </select>
        </Field>
      </div>
    </>
  );
}

function ColumnsPicker({
  dataset,
  columns,
  error,
  onChange,
}: {
  dataset: Dataset;
  columns: ReadonlySet<string> | null;
  error: string | undefined;
  onChange(columns: ReadonlySet<string>): void;
}) {
  return (
    <fieldset className="group">
      <legend>Columns</legend>
      <div className="checks">
        {dataset.columns.map((c) => (
          <label key={c.name} className="check chip-check">
            <input
              type="checkbox"
              checked={columns ? columns.has(c.name) : true}
              onChange={(ev) => {
                const next = new Set(columns ?? dataset.columns.map((x) => x.name));
                if (ev.target.checked) next.add(c.name);
                else next.delete(c.name);
                onChange(next);
              }}
            />
            {c.name} <span className="chip-type">{c.type}</span>
          </label>
        ))}
      </div>
      <InlineError error={error} />
    </fieldset>
  );
}

function TimeRange({
  id,
  dataset,
  draft,
  error,
  onChange,
}: {
  id: string;
  dataset: Dataset;
  draft: DatasetDraft;
  error: string | undefined;
  onChange(patch: Partial<DatasetDraft>): void;
}) {
  return (
    <fieldset className="group">
      <legend>Time range</legend>
      {dataset.time_column ? (
        <div className="row">
          <Field id={`${id}-start`} label={`${dataset.time_column} from`}>
            <input
              id={`${id}-start`}
              type="datetime-local"
              value={draft.start}
              onChange={(ev) => onChange({ start: ev.target.value })}
            />
          </Field>
          <Field id={`${id}-end`} label="to">
            <input
              id={`${id}-end`}
              type="datetime-local"
              value={draft.end}
              onChange={(ev) => onChange({ end: ev.target.value })}
            />
          </Field>
        </div>
      ) : (
        <p className="muted">This dataset has no time column: every row is exported.</p>
      )}
      <InlineError error={error} />
    </fieldset>
  );
}
