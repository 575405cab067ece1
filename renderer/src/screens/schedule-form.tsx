// Create or edit a schedule: "repeat this" export's request on an interval or a cron timetable,
// with the next runs in plain words as you type, keep-fresh, retain and a destination.
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { Export, ExportCreate } from '../../../shared/schemas/exports.ts';
import type { Schedule, SchedulePreview } from '../../../shared/schemas/schedules.ts';
import { api, describeError } from '../api.ts';
import { requestOf } from '../form-logic.ts';
import { navigate } from '../router.ts';
import { useStore } from '../store.ts';
import { Field, FolderField, InlineError } from '../ui/kit.tsx';
import { pathsAreOn } from '../team-engine.ts';
import { ScheduleRowOptions, type RowOptions } from './schedule-row-options.tsx';

const units = [
  ['seconds', 1],
  ['minutes', 60],
  ['hours', 3600],
  ['days', 86400],
] as const;

function splitInterval(seconds: number | null): { n: string; unit: number } {
  if (!seconds) return { n: '1', unit: 86400 };
  for (const [, size] of [...units].reverse())
    if (seconds % size === 0) return { n: String(seconds / size), unit: size };
  return { n: String(Math.max(1, Math.round(seconds / 60))), unit: 60 };
}

function usePreview(spec: { cron?: string; timezone?: string; every_seconds?: number } | null) {
  const [state, setState] = useState<{ preview: SchedulePreview | null; error: string | null }>({
    preview: null,
    error: null,
  });
  const key = JSON.stringify(spec);
  useEffect(() => {
    if (!spec) return;
    // Waits for typing to pause, then asks the engine, which knows cron and time zones exactly.
    const t = window.setTimeout(() => {
      api.previewSchedule(spec).then(
        (preview) => setState({ preview, error: null }),
        (err: unknown) => setState({ preview: null, error: describeError(err) }),
      );
    }, 250);
    return () => window.clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is the spec's value.
  }, [key]);
  return state;
}

export function ScheduleForm({
  existing,
  fromExport,
}: {
  existing: Schedule | null;
  fromExport: string | null;
}) {
  const id = useId();
  const exportsById = useStore((s) => s.exports);
  const source = fromExport ? exportsById[fromExport] : undefined;
  const templates = useMemo(() => {
    // One template per export name, the newest of each: the requests a user may want to repeat.
    const seen = new Map<string, Export>();
    for (const e of Object.values(exportsById).sort((a, b) =>
      a.created_at < b.created_at ? 1 : -1,
    ))
      if (!e.schedule_id && !seen.has(e.name)) seen.set(e.name, e);
    return [...seen.values()].slice(0, 200);
  }, [exportsById]);
  const [templateId, setTemplateId] = useState(fromExport ?? '');
  const template = exportsById[templateId] ?? source ?? templates[0];

  const [name, setName] = useState(existing?.name ?? (source ? `${source.name} (scheduled)` : ''));
  const [mode, setMode] = useState<'interval' | 'cron'>(existing?.cron ? 'cron' : 'interval');
  const initial = splitInterval(existing?.every_seconds ?? null);
  const [n, setN] = useState(initial.n);
  const [unit, setUnit] = useState(initial.unit);
  const [cron, setCron] = useState(existing?.cron ?? '0 6 * * 1-5');
  const [timezone, setTimezone] = useState(
    existing?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  );
  const [keepFresh, setKeepFresh] = useState(existing?.keep_fresh ?? false);
  const [marginHours, setMarginHours] = useState(
    String((existing?.keep_fresh_margin_seconds ?? 3600) / 3600),
  );
  const [retain, setRetain] = useState(existing?.retain ? String(existing.retain) : '');
  const [dir, setDir] = useState(String(existing?.destination?.dir ?? ''));
  const [decompress, setDecompress] = useState(existing?.destination?.decompress !== false);
  const [template_, setTemplate_] = useState(existing?.filename_template ?? '');
  const [firstRun, setFirstRun] = useState<'now' | 'after_interval'>('after_interval');
  const [rowOptions, setRowOptions] = useState<RowOptions>({
    changesKey: existing?.changes_key ?? '',
    incremental: existing?.incremental_column ?? '',
  });
  const request = existing
    ? (existing.request as ExportCreate)
    : template
      ? requestOf(template)
      : null;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const everySeconds = Math.round(Number(n) * unit);
  const spec =
    mode === 'cron'
      ? cron.trim()
        ? { cron: cron.trim(), timezone }
        : null
      : everySeconds >= 1
        ? { every_seconds: everySeconds }
        : null;
  const { preview, error: previewError } = usePreview(spec);

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const timing =
        mode === 'cron'
          ? { cron: cron.trim(), timezone, every_seconds: null }
          : { every_seconds: everySeconds, cron: null, timezone: null };
      const body = {
        name: name.trim() || template?.name || 'Scheduled export',
        ...timing,
        keep_fresh: keepFresh,
        keep_fresh_margin_seconds: Math.round(Number(marginHours) * 3600),
        retain: retain.trim() ? Number(retain) : null,
        destination: dir.trim() ? { dir: dir.trim(), decompress } : null,
        filename_template: template_.trim() || null,
        changes_key: rowOptions.changesKey || null,
        incremental_column: rowOptions.incremental || null,
      };
      let saved: Schedule;
      if (existing) saved = await api.updateSchedule(existing.id, body);
      else {
        if (!template) throw new Error('Choose the export to repeat.');
        saved = await api.createSchedule({
          ...body,
          request: requestOf(template),
          enabled: true,
          first_run: firstRun,
        });
      }
      useStore.getState().upsertSchedule(saved);
      useStore.getState().notify('ok', existing ? 'Schedule saved.' : 'Schedule created.');
      navigate(`schedules/${saved.id}`);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card form"
      onSubmit={(ev) => void submit(ev)}
      aria-label={existing ? 'Edit schedule' : 'New schedule'}
    >
      <a href={existing ? `#/schedules/${existing.id}` : '#/schedules'} className="back">
        ← {existing ? existing.name : 'All schedules'}
      </a>
      {existing ? null : templates.length === 0 && !source ? (
        <p className="muted">
          A schedule repeats an export. <a href="#/exports/new">Create an export</a> first, then
          choose “Repeat on a schedule…” in its menu.
        </p>
      ) : (
        <Field
          id={`${id}-tpl`}
          label="Repeat the request of"
          hint="The same dataset, columns, filters or vendor parameters, run again on the timetable."
        >
          <select
            id={`${id}-tpl`}
            value={template?.id ?? ''}
            onChange={(ev) => setTemplateId(ev.target.value)}
          >
            {(source && !templates.includes(source) ? [source, ...templates] : templates).map(
              (e) => (
                <option key={e.id} value={e.id}>
                  {e.name} (
                  {e.source.type === 'dataset' ? e.source.dataset : e.source.provider_type})
                </option>
              ),
            )}
          </select>
        </Field>
      )}
      <Field id={`${id}-name`} label="Name">
        <input
          id={`${id}-name`}
          value={name}
          placeholder={template?.name}
          onChange={(ev) => setName(ev.target.value)}
        />
      </Field>
      <fieldset className="segmented">
        <legend>Timetable</legend>
        <label className={mode === 'interval' ? 'on' : ''}>
          <input
            type="radio"
            name="mode"
            checked={mode === 'interval'}
            onChange={() => setMode('interval')}
          />
          Every…
        </label>
        <label className={mode === 'cron' ? 'on' : ''}>
          <input
            type="radio"
            name="mode"
            checked={mode === 'cron'}
            onChange={() => setMode('cron')}
          />
          Cron
        </label>
      </fieldset>
      {mode === 'interval' ? (
        <div className="row">
          <Field id={`${id}-n`} label="Every">
            <input
              id={`${id}-n`}
              type="number"
              min="1"
              value={n}
              onChange={(ev) => setN(ev.target.value)}
            />
          </Field>
          <Field id={`${id}-unit`} label="Unit">
            <select
              id={`${id}-unit`}
              value={unit}
              onChange={(ev) => setUnit(Number(ev.target.value))}
            >
              {units.map(([label, size]) => (
                <option key={size} value={size}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
        </div>
      ) : (
        <div className="row">
          <Field
            id={`${id}-cron`}
            label="Cron expression"
            hint="minute hour day month weekday, e.g. 0 6 * * 1-5"
          >
            <input
              id={`${id}-cron`}
              className="code"
              value={cron}
              onChange={(ev) => setCron(ev.target.value)}
            />
          </Field>
          <Field id={`${id}-tz`} label="Time zone">
            <input
              id={`${id}-tz`}
              value={timezone}
              onChange={(ev) => setTimezone(ev.target.value)}
            />
          </Field>
        </div>
      )}
      <div className="preview" aria-live="polite" data-testid="schedule-preview">
        {previewError ? (
          <p className="inline-error">{previewError}</p>
        ) : preview ? (
          <>
            <strong>{preview.description}</strong>
            <ol>
              {preview.runs.map((r) => (
                <li key={r.at}>{r.local}</li>
              ))}
            </ol>
          </>
        ) : (
          <span className="muted">The next runs appear here.</span>
        )}
      </div>
      {existing ? null : (
        <fieldset className="segmented">
          <legend>First run</legend>
          <label className={firstRun === 'now' ? 'on' : ''}>
            <input
              type="radio"
              name="first_run"
              checked={firstRun === 'now'}
              onChange={() => setFirstRun('now')}
            />
            At once
          </label>
          <label className={firstRun === 'after_interval' ? 'on' : ''}>
            <input
              type="radio"
              name="first_run"
              checked={firstRun === 'after_interval'}
              onChange={() => setFirstRun('after_interval')}
            />
            {mode === 'cron' ? 'At the first time above' : 'One interval after saving'}
          </label>
        </fieldset>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={keepFresh}
          onChange={(ev) => setKeepFresh(ev.target.checked)}
        />
        Keep fresh: recreate the latest export before its link expires
      </label>
      {keepFresh ? (
        <Field id={`${id}-margin`} label="Hours before expiry">
          <input
            id={`${id}-margin`}
            type="number"
            min="0"
            step="0.25"
            value={marginHours}
            onChange={(ev) => setMarginHours(ev.target.value)}
          />
        </Field>
      ) : null}
      <div className="row">
        <Field
          id={`${id}-retain`}
          label="Keep the newest"
          hint="runs (their files and saved copies); empty keeps all"
        >
          <input
            id={`${id}-retain`}
            type="number"
            min="1"
            value={retain}
            onChange={(ev) => setRetain(ev.target.value)}
          />
        </Field>
        <FolderField
          id={`${id}-dir`}
          label="Save each run in"
          hint={`A folder on ${pathsAreOn()}. Optional.`}
          value={dir}
          onChange={setDir}
        />
      </div>
      {dir.trim() ? (
        <div className="row">
          <label className="check">
            <input
              type="checkbox"
              checked={decompress}
              onChange={(ev) => setDecompress(ev.target.checked)}
            />
            Decompressed
          </label>
          <Field
            id={`${id}-fname`}
            label="File name template"
            hint="{name}, {date}, {time}, {n}; the extension is added. Leave out {date}, {time} and {n} for one stable file. Empty: the export's name"
          >
            <input
              id={`${id}-fname`}
              value={template_}
              onChange={(ev) => setTemplate_(ev.target.value)}
            />
          </Field>
        </div>
      ) : null}
      <ScheduleRowOptions
        id={id}
        request={request}
        value={rowOptions}
        onChange={setRowOptions}
        keepFresh={keepFresh}
      />
      <InlineError error={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || (!existing && !template)}>
          {busy ? 'Saving…' : existing ? 'Save schedule' : 'Create schedule'}
        </button>
      </div>
    </form>
  );
}
