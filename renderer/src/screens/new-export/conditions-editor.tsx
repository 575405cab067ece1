// The conditions of a dataset export, built from the dataset's real columns; each condition shows
// its own error beside it, and its value field suggests the column's own values.
import type { Dataset } from '../../../../shared/schemas/datasets.ts';
import type { WhereOp } from '../../../../shared/schemas/exports.ts';
import { whereOps } from '../../../../shared/vocabulary.ts';
import type { Condition } from '../../form-logic.ts';
import { opWords } from '../../op-words.ts';
import { InlineError } from '../../ui/kit.tsx';
import { ValueCombobox } from './value-combobox.tsx';

let nextKey = 1;

export function ConditionsEditor({
  dataset,
  conditions,
  errors,
  error,
  onChange,
}: {
  dataset: Dataset;
  conditions: readonly Condition[];
  /** Errors by the condition's position. */
  errors: Readonly<Record<number, string>>;
  /** An error about the conditions as a whole. */
  error: string | undefined;
  onChange(next: Condition[]): void;
}) {
  const typeOf = (col: string) => dataset.columns.find((c) => c.name === col)?.type;
  const update = (key: number, patch: Partial<Condition>) =>
    onChange(conditions.map((x) => (x.key === key ? { ...x, ...patch } : x)));
  return (
    <fieldset className="group">
      <legend>Conditions</legend>
      {conditions.length === 0 ? (
        <p className="muted">All rows. Add a condition to narrow them.</p>
      ) : null}
      {conditions.map((c, i) => {
        const problem = errors[i];
        const errorId = `condition-${c.key}-error`;
        return (
          <div className="condition-block" key={c.key}>
            <div className={`row condition${problem ? ' field-invalid' : ''}`}>
              <select
                aria-label={`Condition ${i + 1} column`}
                value={c.column}
                onChange={(ev) => update(c.key, { column: ev.target.value })}
              >
                {dataset.columns.map((col) => (
                  <option key={col.name} value={col.name}>
                    {col.name}
                  </option>
                ))}
              </select>
              <select
                aria-label={`Condition ${i + 1} operator`}
                value={c.op}
                onChange={(ev) => update(c.key, { op: ev.target.value as WhereOp })}
              >
                {whereOps.map((op) => (
                  <option key={op} value={op}>
                    {opWords[op]}
                  </option>
                ))}
              </select>
              <ValueCombobox
                id={`condition-${c.key}-value`}
                label={`Condition ${i + 1} value`}
                dataset={dataset.name}
                column={c.column}
                op={c.op}
                value={c.value}
                invalid={Boolean(problem)}
                describedBy={problem ? errorId : undefined}
                disabled={c.op === 'is_null' || c.op === 'is_not_null'}
                placeholder={
                  c.op === 'in' || c.op === 'not_in' ? 'TX, CA' : (typeOf(c.column) ?? 'value')
                }
                onChange={(value) => update(c.key, { value })}
              />
              <button
                type="button"
                className="icon"
                aria-label={`Remove condition ${i + 1}`}
                onClick={() => onChange(conditions.filter((x) => x.key !== c.key))}
              >
                ×
              </button>
            </div>
            {problem ? (
              <p className="inline-error" id={errorId} role="alert">
                {problem}
              </p>
            ) : null}
          </div>
        );
      })}
      <button
        type="button"
        onClick={() =>
          onChange([
            ...conditions,
            { key: nextKey++, column: dataset.columns[0]!.name, op: 'eq', value: '' },
          ])
        }
      >
        Add a condition
      </button>
      <InlineError error={error} />
    </fieldset>
  );
}
