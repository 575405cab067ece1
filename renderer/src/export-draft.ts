// The new-export form's state as plain data: what the user has typed so far, the request body it
// makes, and every mistake in it found before sending (all at once, each next to its field).
import type { Dataset } from '../../shared/schemas/datasets.ts';
import type { ExportCreate, WhereOp } from '../../shared/schemas/exports.ts';
import { nullOps } from '../../shared/vocabulary.ts';
import { typedValue, type Condition } from './form-logic.ts';
import { noErrors, type FormErrors, type Section } from './form-errors.ts';

export interface DatasetDraft {
  readonly dataset: string;
  /** null: every column. */
  readonly columns: ReadonlySet<string> | null;
  /** `datetime-local` texts, local time; '' for none. */
  readonly start: string;
  readonly end: string;
  readonly conditions: readonly Condition[];
  readonly format: 'csv' | 'jsonl';
  readonly compression: 'gzip' | 'none';
}

export interface OutputDraft {
  readonly name: string;
  readonly dir: string;
  readonly decompress: boolean;
}

export const emptyDatasetDraft = (dataset: string): DatasetDraft => ({
  dataset,
  columns: null,
  start: '',
  end: '',
  conditions: [],
  format: 'csv',
  compression: 'gzip',
});

const toIso = (local: string): string | undefined =>
  local && !Number.isNaN(Date.parse(local)) ? new Date(local).toISOString() : undefined;

const isAbsolutePath = (p: string): boolean => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p);

function outputPart(o: OutputDraft): Pick<ExportCreate, 'name' | 'destination'> {
  const dir = o.dir.trim();
  return {
    ...(o.name.trim() ? { name: o.name.trim() } : {}),
    ...(dir ? { destination: { dir, decompress: o.decompress } } : {}),
  };
}

/** The POST /v1/exports body of a dataset export. */
export function datasetRequest(d: DatasetDraft, ds: Dataset, o: OutputDraft): ExportCreate {
  const typeOf = (col: string) => ds.columns.find((c) => c.name === col)?.type;
  const where = d.conditions.map((c) => ({
    column: c.column,
    op: c.op,
    value: typedValue(c, typeOf(c.column)),
  }));
  const start = toIso(d.start);
  const end = toIso(d.end);
  const filter = {
    ...(start ? { start_time: start } : {}),
    ...(end ? { end_time: end } : {}),
    ...(where.length ? { where } : {}),
  };
  const columns = d.columns;
  return {
    dataset: ds.name,
    format: d.format,
    compression: d.compression,
    ...(columns ? { columns: ds.columns.map((c) => c.name).filter((c) => columns.has(c)) } : {}),
    ...(Object.keys(filter).length ? { filter } : {}),
    ...outputPart(o),
  };
}

/** The vendor's parameters as an object, or why the text is not one. */
export function parseParams(text: string): { params: Record<string, unknown> } | { error: string } {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? { params: v as Record<string, unknown> }
      : { error: 'The parameters must be a JSON object: { … }.' };
  } catch (err) {
    return { error: `Not valid JSON: ${(err as Error).message}` };
  }
}

/** The POST /v1/exports body of a provider export (parameters already checked). */
export function providerRequest(
  provider: string,
  paramsText: string,
  o: OutputDraft,
): ExportCreate {
  const parsed = parseParams(paramsText);
  return { provider, params: 'params' in parsed ? parsed.params : {}, ...outputPart(o) };
}

const takesNoValue = (op: WhereOp) => (nullOps as readonly string[]).includes(op);

/** Why one condition's value cannot be sent, or null. */
function conditionProblem(c: Condition, ds: Dataset): string | null {
  const col = ds.columns.find((x) => x.name === c.column);
  if (!col) return `Choose a column of ${ds.name}.`;
  if (takesNoValue(c.op)) return null;
  const values = c.op === 'in' || c.op === 'not_in' ? c.value.split(',') : [c.value];
  if (values.every((v) => v.trim() === ''))
    return c.op === 'in' || c.op === 'not_in'
      ? 'Give one or more values, separated by commas.'
      : 'Give a value.';
  for (const raw of values) {
    const v = raw.trim();
    if ((col.type === 'integer' || col.type === 'real') && (v === '' || Number.isNaN(Number(v))))
      return `"${v}" is not a number; ${col.name} holds numbers.`;
    if (col.type === 'integer' && !Number.isInteger(Number(v)))
      return `${col.name} holds whole numbers; "${v}" is not one.`;
    if (col.type === 'boolean' && v !== 'true' && v !== 'false')
      return `${col.name} is true or false; "${v}" is neither.`;
    if (col.type === 'timestamp' && Number.isNaN(Date.parse(v)))
      return `"${v}" is not a date and time; write it like 2026-01-31T09:00:00Z.`;
  }
  return null;
}

/** Every mistake of a dataset export's draft, each placed next to its field. */
export function checkDatasetDraft(d: DatasetDraft, ds: Dataset, o: OutputDraft): FormErrors {
  const sections: Partial<Record<Section, string>> = {};
  const conditions: Record<number, string> = {};
  if (d.columns && d.columns.size === 0) sections.columns = 'Pick at least one column.';
  const start = toIso(d.start);
  const end = toIso(d.end);
  if (start && end && start > end) sections.time = 'The start is after the end.';
  d.conditions.forEach((c, i) => {
    const problem = conditionProblem(c, ds);
    if (problem) conditions[i] = problem;
  });
  const dir = outputProblem(o);
  if (dir) sections.destination = dir;
  return Object.keys(sections).length || Object.keys(conditions).length
    ? { sections, conditions }
    : noErrors;
}

function outputProblem(o: OutputDraft): string | null {
  const dir = o.dir.trim();
  return dir && !isAbsolutePath(dir)
    ? `Give the folder's full path, such as /home/me/exports, not "${dir}".`
    : null;
}

/** Every mistake of a provider export's draft. */
export function checkProviderDraft(
  provider: string,
  paramsText: string,
  o: OutputDraft,
): FormErrors {
  const sections: Partial<Record<Section, string>> = {};
  if (!provider) sections.provider = 'Choose a provider.';
  const parsed = parseParams(paramsText);
  if ('error' in parsed) sections.params = parsed.error;
  const dir = outputProblem(o);
  if (dir) sections.destination = dir;
  return Object.keys(sections).length ? { sections, conditions: {} } : noErrors;
}
