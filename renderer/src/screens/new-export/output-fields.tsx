// Where an export's file goes: its name, and a folder to save a copy in (decompressed or not).
import type { OutputDraft } from '../../export-draft.ts';
import type { FormErrors } from '../../form-errors.ts';
import { Field, FolderField } from '../../ui/kit.tsx';
import { pathsAreOn } from '../../team-engine.ts';

export function OutputFields({
  id,
  draft,
  placeholder,
  defaultDir,
  errors,
  onChange,
}: {
  id: string;
  draft: OutputDraft;
  /** The name used when none is given. */
  placeholder: string | undefined;
  defaultDir: string | null;
  errors: FormErrors;
  onChange(patch: Partial<OutputDraft>): void;
}) {
  return (
    <>
      <div className="row">
        <Field
          id={`${id}-name`}
          label="Name"
          hint="Also the file name. Optional."
          error={errors.sections.name}
        >
          <input
            id={`${id}-name`}
            value={draft.name}
            placeholder={placeholder}
            onChange={(ev) => onChange({ name: ev.target.value })}
          />
        </Field>
        <FolderField
          id={`${id}-dir`}
          label="Also save a copy in"
          hint={defaultDir ? `Default: ${defaultDir}` : `A folder on ${pathsAreOn()}. Optional.`}
          error={errors.sections.destination}
          value={draft.dir}
          onChange={(dir) => onChange({ dir })}
        />
      </div>
      {draft.dir.trim() ? (
        <label className="check">
          <input
            type="checkbox"
            checked={draft.decompress}
            onChange={(ev) => onChange({ decompress: ev.target.checked })}
          />
          Save it decompressed
        </label>
      ) : null}
    </>
  );
}
