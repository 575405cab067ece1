// A schedule's run history from GET /v1/schedules/{id}/runs, paged and re-read whenever the
// schedule changes, and the one stable file the runs keep fresh.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Schedule, ScheduleRun } from '../../../shared/schemas/schedules.ts';
import { api, describeError } from '../api.ts';
import { isDesktop, showInFolder, splitPath } from '../desktop.ts';
import { bytes, count, dateTime } from '../format.ts';
import { CopyButton, InlineError, StatusBadge } from '../ui/kit.tsx';
import {
  changesWords,
  incrementalWords,
  retainWords,
  runStatusWords,
  shortRelative,
  keepFreshWords,
  stableFileOf,
  triggerWords,
} from './schedule-words.ts';

interface RunsState {
  readonly items: ScheduleRun[] | null;
  readonly next: string | null;
  readonly error: string | null;
}

/**
 * The newest page of runs, fetched again each time the schedule object changes (every
 * schedule.updated event replaces it), plus older pages on demand.
 */
export function useScheduleRuns(s: Schedule) {
  const [state, setState] = useState<RunsState>({ items: null, next: null, error: null });
  const older = useRef<{ items: ScheduleRun[]; next: string | null } | null>(null);
  useEffect(() => {
    let live = true;
    // Events come in bursts (fired, updated, file replaced): one read after the burst.
    const t = window.setTimeout(() => {
      api.scheduleRuns(s.id).then(
        ({ data, next }) => {
          if (!live) return;
          const extra = older.current;
          if (!extra) return setState({ items: data, next, error: null });
          const newest = new Set(data.map((r) => r.number));
          setState({
            items: [...data, ...extra.items.filter((r) => !newest.has(r.number))],
            next: extra.next,
            error: null,
          });
        },
        (err: unknown) => live && setState((st) => ({ ...st, error: describeError(err) })),
      );
    }, 150);
    return () => {
      live = false;
      window.clearTimeout(t);
    };
  }, [s]);
  const loadOlder = useCallback(() => {
    if (!state.next) return;
    api.scheduleRuns(s.id, state.next).then(
      ({ data, next }) => {
        const items = [...(older.current?.items ?? []), ...data];
        older.current = { items, next };
        setState((st) => ({ items: [...(st.items ?? []), ...data], next, error: null }));
      },
      (err: unknown) => setState((st) => ({ ...st, error: describeError(err) })),
    );
  }, [s.id, state.next]);
  return { ...state, loadOlder };
}

/** Where the schedule saves, under which name, what it keeps, and its stable file. */
export function ScheduleFiles({ s, runs }: { s: Schedule; runs: ScheduleRun[] | null }) {
  const dir = typeof s.destination?.dir === 'string' ? s.destination.dir : null;
  const stable = runs ? stableFileOf(runs) : null;
  const fresh = keepFreshWords(s);
  return (
    <section className="card schedule-files" aria-label="Stable file and settings">
      <h2>Stable file</h2>
      {stable ? (
        <div className="stable-file" data-testid="stable-file">
          <code className="stable-path">{stable.path}</code>
          <p className="muted">
            Replaced{' '}
            {stable.replaced_at ? (
              <span title={dateTime(stable.replaced_at)}>
                {shortRelative(stable.replaced_at, Date.now())}
              </span>
            ) : (
              'recently'
            )}{' '}
            by run #{stable.run}. Point a spreadsheet or script at this path: each completed run
            replaces it whole.
          </p>
          <div className="stable-actions">
            <CopyButton text={stable.path} label="Copy path" what="Path" />
            {isDesktop() ? (
              <button type="button" onClick={() => void showInFolder(stable.path)}>
                Show in folder
              </button>
            ) : null}
            {s.latest_export?.status === 'completed' ? (
              <a className="button" href={`/v1/schedules/${s.id}/latest/download`}>
                Download latest
              </a>
            ) : null}
          </div>
        </div>
      ) : (
        <p className="muted" data-testid="stable-file">
          {dir
            ? 'No run has completed yet: the stable file appears in the folder below after the first one.'
            : 'This schedule saves to no folder, so it keeps no stable file; its latest export is always at '}
          {dir ? null : <code>/v1/schedules/{s.id}/latest/download</code>}
          {!dir && s.latest_export?.status === 'completed' ? (
            <>
              {' '}
              <a className="button" href={`/v1/schedules/${s.id}/latest/download`}>
                Download latest
              </a>
            </>
          ) : null}
        </p>
      )}
      <dl className="kv">
        <div>
          <dt>Folder</dt>
          <dd>{dir ?? 'none (files stay in Export Manager)'}</dd>
        </div>
        <div>
          <dt>File name</dt>
          <dd>
            {stable
              ? splitPath(stable.path).name
              : s.filename_template
                ? `${s.filename_template} (template)`
                : "the export's name"}
          </dd>
        </div>
        <div>
          <dt>Retention</dt>
          <dd>{retainWords(s.retain)}</dd>
        </div>
        <div>
          <dt>Keep fresh</dt>
          <dd>{fresh ?? 'off'}</dd>
        </div>
        <div>
          <dt>Changes matched by</dt>
          <dd data-testid="changes-key">
            {s.changes_key ?? 'the default key (id, or the first column ending in _id)'}
          </dd>
        </div>
        <div>
          <dt>Rows each run</dt>
          <dd data-testid="incremental">{incrementalWords(s)}</dd>
        </div>
      </dl>
    </section>
  );
}

function RunRow({ r, running }: { r: ScheduleRun; running: boolean }) {
  const changes = changesWords(r.changes);
  return (
    <tr data-testid="schedule-run">
      <td>
        {r.export_id && !r.file_removed ? (
          <a href={`#/exports/${r.export_id}`}>#{r.number}</a>
        ) : (
          `#${r.number}`
        )}
      </td>
      <td>{triggerWords(r.trigger)}</td>
      <td>
        {running ? (
          <StatusBadge status="processing" />
        ) : (
          <span className={`badge badge-${r.status}`} data-status={r.status}>
            {runStatusWords(r.status)}
          </span>
        )}
      </td>
      <td className="num">{count(r.rows)}</td>
      <td className="num">{bytes(r.bytes)}</td>
      <td title={dateTime(r.started_at)}>{shortRelative(r.started_at, Date.now())}</td>
      <td className="run-file">
        {r.saved_path ? <code>{splitPath(r.saved_path).name}</code> : '—'}
        {r.file_removed ? <div className="muted">{r.file_removed}</div> : null}
        {r.stable_path ? <div className="muted">replaced the stable file</div> : null}
      </td>
      <td className="run-changes">
        {changes && r.changes?.file ? (
          <a
            href={r.changes.file}
            title={`Rows added, removed and changed since the previous run, by ${r.changes.key}: download them as CSV`}
          >
            {changes}
          </a>
        ) : (
          (changes ?? '—')
        )}
      </td>
      <td className="run-error">
        {r.error ? (
          <>
            {r.error.message} <code>{r.error.code}</code>
          </>
        ) : null}
      </td>
    </tr>
  );
}

export function RunHistory({ s, runs }: { s: Schedule; runs: ReturnType<typeof useScheduleRuns> }) {
  const { items, next, error, loadOlder } = runs;
  return (
    <section className="card">
      <h2>History</h2>
      <InlineError error={error} />
      {items === null ? (
        <p className="muted">Loading runs…</p>
      ) : items.length === 0 ? (
        <p className="muted">
          No run yet.{' '}
          {s.enabled && s.next_run_at
            ? `The first one starts ${shortRelative(s.next_run_at, Date.now())}.`
            : 'Run it now to make the first one.'}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table schedule-runs" aria-label={`Runs of ${s.name}`}>
            <thead>
              <tr>
                <th>Run</th>
                <th>Trigger</th>
                <th>Status</th>
                <th className="num">Rows</th>
                <th className="num">Size</th>
                <th>Started</th>
                <th>Saved as</th>
                <th>Changes</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <RunRow
                  key={r.number}
                  r={r}
                  running={r.export_id !== null && r.export_id === s.running_export_id}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next ? (
        <button type="button" onClick={loadOlder}>
          Older runs
        </button>
      ) : null}
    </section>
  );
}
