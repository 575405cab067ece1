// A condition's value field that suggests the column's own values as the user types (the ARIA
// combobox pattern: the focus stays in the field, arrows move through the list, Enter picks,
// Escape closes it). Each suggestion shows how many rows hold it.
import { useState, type KeyboardEvent } from 'react';
import type { WhereOp } from '../../../../shared/schemas/exports.ts';
import { count } from '../../format.ts';
import { chosenValues, pickValue, searchText, suggestsValues } from '../../value-suggestions.ts';
import { useColumnValues } from './dataset-queries.ts';

export function ValueCombobox({
  id,
  label,
  dataset,
  column,
  op,
  value,
  disabled,
  placeholder,
  invalid,
  describedBy,
  onChange,
}: {
  id: string;
  label: string;
  dataset: string;
  column: string;
  op: WhereOp;
  value: string;
  disabled: boolean;
  placeholder: string;
  invalid: boolean;
  describedBy: string | undefined;
  onChange(value: string): void;
}) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const enabled = open && !disabled && suggestsValues(op);
  const found = useColumnValues(dataset, column, searchText(op, value), enabled);
  const taken = chosenValues(op, value);
  const options = (found?.values ?? []).filter((v) => !taken.has(String(v.value)));
  const shown = enabled && options.length > 0;
  const listId = `${id}-values`;
  const optionId = (i: number) => `${id}-value-${i}`;

  const pick = (i: number) => {
    const v = options[i];
    if (!v) return;
    onChange(pickValue(op, value, String(v.value)));
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (ev: KeyboardEvent<HTMLInputElement>) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (!open) {
        setOpen(true);
        return;
      }
      if (options.length === 0) return;
      const step = ev.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + options.length) % options.length);
    } else if (ev.key === 'Enter' && shown && active >= 0) {
      ev.preventDefault();
      pick(active);
    } else if (ev.key === 'Escape' && open) {
      ev.preventDefault();
      ev.stopPropagation();
      setOpen(false);
      setActive(-1);
    }
  };

  return (
    <div className="combobox">
      <input
        id={id}
        role="combobox"
        aria-label={label}
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? optionId(active) : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        autoComplete="off"
        value={value}
        disabled={disabled}
        placeholder={placeholder}
        onChange={(ev) => {
          onChange(ev.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <ul id={listId} role="listbox" aria-label={`Values of ${column}`} hidden={!shown}>
        {shown
          ? options.map((v, i) => (
              <li
                key={String(v.value)}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'active' : undefined}
                onMouseDown={(ev) => ev.preventDefault()}
                onClick={() => pick(i)}
              >
                <span className="value-text">{String(v.value)}</span>
                <span className="value-count">{count(v.count)} rows</span>
              </li>
            ))
          : null}
      </ul>
    </div>
  );
}
