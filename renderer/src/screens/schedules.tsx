// Schedules: each one's summary in words, pause/resume, run now; the detail page adds its stable
// file, its settings and its numbered run history, live.
import { useEffect } from 'react';
import type { Schedule } from '../../../shared/schemas/schedules.ts';
import { api } from '../api.ts';
import { dateTime, every, relative } from '../format.ts';
import { navigate } from '../router.ts';
import { attempt, useStore } from '../store.ts';
import { EmptyState, ErrorBanner, StatusBadge, useConfirm } from '../ui/kit.tsx';
import { ScheduleForm } from './schedule-form.tsx';
import { RunHistory, ScheduleFiles, useScheduleRuns } from './schedule-runs.tsx';
import { keepFreshWords, retainWords, scheduleSummary } from './schedule-words.ts';

export function timetable(s: Schedule): string {
  if (s.every_seconds) return every(s.every_seconds);
  return `cron ${s.cron ?? ''}${s.timezone ? ` (${s.timezone})` : ''}`;
}

function useScheduleActions(s: Schedule) {
  const [confirmDialog, confirm] = useConfirm();
  const upsert = (x: Schedule) => useStore.getState().upsertSchedule(x);
  return {
    confirmDialog,
    runNow: () =>
      void attempt(async () => {
        upsert(await api.runSchedule(s.id));
      }, `${s.name}: a run has started.`),
    toggle: () =>
      void attempt(
        async () => upsert(await api.updateSchedule(s.id, { enabled: !s.enabled })),
        s.enabled ? `${s.name} paused.` : `${s.name} resumed.`,
      ),
    remove: () =>
      void confirm({
        title: `Delete the schedule ${s.name}?`,
        body: 'It stops running. The exports it made stay, with their files.',
        action: 'Delete schedule',
      }).then((yes) => {
        if (yes)
          void attempt(async () => {
            await api.deleteSchedule(s.id);
            useStore.getState().removeSchedule(s.id);
            navigate('schedules');
          }, 'Schedule deleted.');
      }),
  };
}

/** Run now, Pause/Resume, Edit, Delete: the same four wherever a schedule shows. */
function ScheduleButtons({ s, a }: { s: Schedule; a: ReturnType<typeof useScheduleActions> }) {
  return (
    <>
      <button type="button" onClick={a.runNow}>
        Run now
      </button>
      <button type="button" onClick={a.toggle}>
        {s.enabled ? 'Pause' : 'Resume'}
      </button>
      <button type="button" onClick={() => navigate(`schedules/${s.id}/edit`)}>
        Edit
      </button>
      <button type="button" className="danger" onClick={a.remove}>
        Delete
      </button>
    </>
  );
}

function ScheduleCard({ s }: { s: Schedule }) {
  const a = useScheduleActions(s);
  const latest = s.latest_export;
  const dir = typeof s.destination?.dir === 'string' ? s.destination.dir : null;
  return (
    <article className="card schedule" aria-label={`Schedule ${s.name}`} data-testid="schedule">
      <header className="card-head">
        <h2>
          <a href={`#/schedules/${s.id}`}>{s.name}</a>
        </h2>
        <StatusBadge status={s.enabled ? 'enabled' : 'paused'} />
        <span className="spacer" />
        <ScheduleButtons s={s} a={a} />
      </header>
      {a.confirmDialog}
      <p className="schedule-summary" data-testid="schedule-summary">
        {scheduleSummary(s, Date.now())}
      </p>
      <p className="muted">
        {timetable(s)}
        {dir ? ` · saves to ${dir}` : ''} · {retainWords(s.retain)}
        {s.keep_fresh ? ` · ${keepFreshWords(s)}` : ''}
        {latest ? (
          <>
            {' '}
            · latest <a href={`#/exports/${latest.id}`}>{latest.name}</a>{' '}
            <StatusBadge status={latest.status} />
          </>
        ) : null}
      </p>
      {s.last_error ? (
        <p className="inline-error" role="alert">
          Last failure ({relative(s.last_error.at)}): {s.last_error.message}
          {s.consecutive_failures > 1 ? ` — ${s.consecutive_failures} failures in a row` : ''}
        </p>
      ) : null}
    </article>
  );
}

function ScheduleDetail({ s }: { s: Schedule }) {
  const a = useScheduleActions(s);
  const runs = useScheduleRuns(s);
  return (
    <div className="detail">
      <div className="detail-head">
        <div>
          <a href="#/schedules" className="back">
            ← All schedules
          </a>
          <h2 className="detail-title">
            {s.name} <StatusBadge status={s.enabled ? 'enabled' : 'paused'} />
          </h2>
          <p className="schedule-summary" data-testid="schedule-summary">
            {scheduleSummary(s, Date.now())}
          </p>
          <p className="muted">
            Next run{' '}
            {s.enabled && s.next_run_at
              ? `${dateTime(s.next_run_at)} (${relative(s.next_run_at)})`
              : s.enabled
                ? '—'
                : '(paused)'}
          </p>
        </div>
        <div className="detail-actions">
          <ScheduleButtons s={s} a={a} />
        </div>
      </div>
      {a.confirmDialog}
      {s.last_error ? (
        <div className="error-box" role="alert">
          <strong>
            The last run failed
            {s.consecutive_failures > 1 ? ` (${s.consecutive_failures} in a row)` : ''}.
          </strong>
          <div className="vendor-message">
            {s.last_error.message} <code>{s.last_error.code}</code>
          </div>
        </div>
      ) : null}
      <ScheduleFiles s={s} runs={runs.items} />
      <RunHistory s={s} runs={runs} />
    </div>
  );
}

export function SchedulesScreen({
  sub,
  action,
  from,
}: {
  sub: string | null;
  action: string | null;
  from: string | null;
}) {
  const { items, error } = useStore((s) => s.schedules);
  useEffect(() => {
    const st = useStore.getState();
    void st.loadSchedules();
    if (!st.exportsLoaded) void st.loadExports();
  }, []);

  if (sub === 'new') return <ScheduleForm existing={null} fromExport={from} />;
  if (error && !items) return <ErrorBanner what="Could not load schedules" error={error} />;
  if (!items) return <p className="muted loading">Loading schedules…</p>;
  if (sub) {
    const s = items.find((x) => x.id === sub);
    if (!s) return <ErrorBanner what="No such schedule" error="It may have been deleted." />;
    return action === 'edit' ? (
      <ScheduleForm existing={s} fromExport={null} />
    ) : (
      <ScheduleDetail s={s} />
    );
  }
  return (
    <>
      <div className="toolbar">
        <span className="muted summary">
          {items.length} schedule{items.length === 1 ? '' : 's'}
          {items.length ? ` · ${items.filter((s) => s.enabled).length} active` : ''}
        </span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => navigate('schedules/new')}>
          New schedule
        </button>
      </div>
      {error ? <ErrorBanner what="Could not refresh schedules" error={error} /> : null}
      {items.length === 0 ? (
        <EmptyState
          title="No schedules yet"
          body="A schedule re-runs an export on a timetable, and can keep its file fresh before the link expires. Open an export and choose “Repeat on a schedule…”, or start here."
        >
          <button type="button" className="primary" onClick={() => navigate('schedules/new')}>
            New schedule
          </button>
        </EmptyState>
      ) : (
        <div className="cards">
          {items.map((s) => (
            <ScheduleCard key={s.id} s={s} />
          ))}
        </div>
      )}
    </>
  );
}
