// Where an API error belongs in a form, read from the error's data (never from its wording):
// `details.field` ("filter.where[2]", "destination.dir"), else the path of a schema error
// (`details.errors[0].path`, a JSON pointer such as "/filter/where/0/value"), else the value it
// names (`details.column`, `details.start_time`, `details.dir`) compared with the request sent.
import type { ExportCreate } from '../../shared/schemas/exports.ts';
import type { ApiFailure } from './api.ts';

export type Section =
  | 'form'
  | 'dataset'
  | 'columns'
  | 'time'
  | 'conditions'
  | 'provider'
  | 'params'
  | 'name'
  | 'destination';

/** A form's errors: one text per section, and per condition (by its index in `where`). */
export interface FormErrors {
  readonly sections: Partial<Record<Section, string>>;
  readonly conditions: Readonly<Record<number, string>>;
}

export const noErrors: FormErrors = { sections: {}, conditions: {} };

export const hasErrors = (e: FormErrors): boolean =>
  Object.keys(e.sections).length > 0 || Object.keys(e.conditions).length > 0;

/** "/filter/where/0/value" -> "filter.where[0].value". */
export function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce(
      (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
      '',
    );
}

/** The request field an error is about, from its structured details; null if it names none. */
export function fieldOf(err: ApiFailure): string | null {
  const d = err.details;
  if (typeof d.field === 'string' && d.field) return d.field.replace(/^body\./, '');
  const first = Array.isArray(d.errors) ? (d.errors[0] as { path?: unknown } | undefined) : null;
  if (first && typeof first.path === 'string' && first.path) return pointerToField(first.path);
  return null;
}

/** A section (and a condition's index, when it is about one) for a field path. */
function placeField(field: string): { section: Section; condition?: number } {
  const where = /^filter\.where\[(\d+)\]/.exec(field);
  if (where) return { section: 'conditions', condition: Number(where[1]) };
  const head = field.split(/[.[]/)[0]!;
  switch (head) {
    case 'filter':
      return field.startsWith('filter.start_time') || field.startsWith('filter.end_time')
        ? { section: 'time' }
        : { section: 'conditions' };
    case 'columns':
      return { section: 'columns' };
    case 'dataset':
      return { section: 'dataset' };
    case 'provider':
      return { section: 'provider' };
    case 'params':
      return { section: 'params' };
    case 'name':
      return { section: 'name' };
    case 'destination':
      return { section: 'destination' };
    default:
      return { section: 'form' };
  }
}

/** The field an error names by value, for errors that carry no path. */
function placeByValue(
  err: ApiFailure,
  sent: ExportCreate,
): { section: Section; condition?: number } {
  const d = err.details;
  if (d.start_time !== undefined || d.end_time !== undefined) return { section: 'time' };
  if (typeof d.column === 'string') {
    const index = (sent.filter?.where ?? []).findIndex((w) => w.column === d.column);
    if (index >= 0 && !(sent.columns ?? []).includes(d.column))
      return { section: 'conditions', condition: index };
    return { section: 'columns' };
  }
  if (typeof d.dir === 'string') return { section: 'destination' };
  // A provider export's error that names no field is about the provider (unknown, unreachable)
  // or, when the vendor refused the request, about its parameters.
  if (sent.provider !== undefined && sent.dataset === undefined)
    return { section: err.code.startsWith('PROVIDER') ? 'params' : 'provider' };
  if (sent.dataset !== undefined && (err.code === 'NOT_FOUND' || typeof d.dataset === 'string'))
    return { section: 'dataset' };
  return { section: 'form' };
}

/** The form's errors for one failed request: the message next to the field it is about. */
export function placeError(err: ApiFailure, sent: ExportCreate, text: string): FormErrors {
  const field = fieldOf(err);
  const place = field ? placeField(field) : placeByValue(err, sent);
  if (place.condition !== undefined)
    return { sections: {}, conditions: { [place.condition]: text } };
  return { sections: { [place.section]: text }, conditions: {} };
}
