// Fills a schedule's file-name template: {name}, {date}, {time}, {schedule}, {n}, plus the extension.
import { ApiError } from '../../../shared/errors.ts';
import { extensionFor, isSafeFilename } from '../storage/files.ts';

export const placeholders = ['name', 'date', 'time', 'schedule', 'n'] as const;

export interface TemplateValues {
  /** The export's name. */
  readonly name: string;
  readonly schedule: string;
  /** The run's moment and the zone its date and time are written in. */
  readonly at: number;
  readonly timezone: string;
  /** The schedule's run counter, from 1. */
  readonly n: number;
  readonly format: string;
  readonly compression: string;
  readonly decompress: boolean;
}

/** Names go into one path segment: separators, colons and control characters become dashes. */
function segment(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are exactly what we replace
      .replace(/[/\\:*?"<>|\x00-\x1f]+/g, '-')
      .trim()
  );
}

function parts(at: number, timezone: string): Record<string, string> {
  const out: Record<string, string> = {};
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  for (const p of fmt.formatToParts(new Date(at))) out[p.type] = p.value;
  return out;
}

/** The extension a run's file gets: .csv.gz, .jsonl, or .csv when a gzip is saved decompressed. */
export function extensionOf(v: Pick<TemplateValues, 'format' | 'compression' | 'decompress'>) {
  return extensionFor(v.format, v.decompress ? 'none' : v.compression);
}

/** Throws INVALID_REQUEST naming an unknown placeholder; used when a schedule is saved. */
export function checkTemplate(template: string): void {
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    if (!(placeholders as readonly string[]).includes(m[1]!))
      throw new ApiError(
        'INVALID_REQUEST',
        `filename_template has an unknown placeholder {${m[1]}}; use ${placeholders.map((p) => `{${p}}`).join(', ')}.`,
        { field: 'filename_template' },
      );
  }
  if (/[/\\]/.test(template))
    throw new ApiError(
      'INVALID_REQUEST',
      'filename_template is a file name, not a path: put the folder in destination.dir.',
      { field: 'filename_template' },
    );
}

/**
 * The file name for one run. Dates and times are the schedule's local ones ({time} uses dashes:
 * colons are not allowed in file names on every system). The extension is added unless the
 * template already ends with it.
 */
export function renderFilename(template: string, v: TemplateValues): string {
  const p = parts(v.at, v.timezone);
  const values: Record<string, string> = {
    name: segment(v.name),
    schedule: segment(v.schedule),
    date: `${p.year}-${p.month}-${p.day}`,
    time: `${p.hour}-${p.minute}-${p.second}`,
    n: String(v.n),
  };
  const filled = template.replace(/\{(name|date|time|schedule|n)\}/g, (_, k: string) => values[k]!);
  let stem = segment(filled).replace(/^\.+/, '');
  const ext = extensionOf(v);
  if (stem.toLowerCase().endsWith(ext)) stem = stem.slice(0, -ext.length);
  // Room for the extension and a " (12)" counter within the 255 bytes most file systems allow.
  stem = stem.slice(0, 200).trim();
  const name = stem + ext;
  return stem && isSafeFilename(name) ? name : `export${ext}`;
}
