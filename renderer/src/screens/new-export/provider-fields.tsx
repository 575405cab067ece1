// A provider export's own fields: which provider, and the vendor's create body as JSON,
// prefilled with that vendor's example.
import type { Provider } from '../../../../shared/schemas/providers.ts';
import type { FormErrors } from '../../form-errors.ts';
import { providerKinds } from '../../provider-kinds.ts';
import { Field } from '../../ui/kit.tsx';

export function ProviderFields({
  id,
  providers,
  provider,
  paramsText,
  paramsError,
  errors,
  onPickProvider,
  onParams,
}: {
  id: string;
  providers: readonly Provider[];
  provider: Provider | undefined;
  paramsText: string;
  /** The text is not a JSON object (shown as you type). */
  paramsError: string | null;
  errors: FormErrors;
  onPickProvider(id: string): void;
  onParams(text: string): void;
}) {
  const error = errors.sections.params ?? paramsError;
  return (
    <>
      <Field id={`${id}-prov`} label="Provider" error={errors.sections.provider}>
        <select
          id={`${id}-prov`}
          value={provider?.id ?? ''}
          onChange={(ev) => onPickProvider(ev.target.value)}
        >
          {providers.map((p) => (
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
        error={error}
      >
        <textarea
          id={`${id}-params`}
          className="code"
          rows={10}
          spellCheck={false}
          value={paramsText}
          aria-invalid={error ? true : undefined}
          onChange={(ev) => onParams(ev.target.value)}
        />
      </Field>
    </>
  );
}
