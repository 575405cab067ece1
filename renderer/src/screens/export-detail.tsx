// One export in full: request, timeline, live progress with speed, files, errors in words, links.
import { useEffect, useRef, useState } from 'react';
import type { Export } from '../../../shared/schemas/exports.ts';
import { api, describeError } from '../api.ts';
import { bytes, count, dateTime, duration } from '../format.ts';
import { useStore } from '../store.ts';
import { CopyButton, ErrorBanner, isActive, ProgressBar, StatusBadge } from '../ui/kit.tsx';
import { ExportActionBar } from './export-action-bar.tsx';
import { downloadHref, useExportActions } from './export-actions.tsx';
import { requestWords } from '../request-words.ts';
import { ExpiryBanner, inTimeOrder, TimelineStep, vendorSaid } from './expiry-parts.tsx';
import { sourceLabel } from './exports-row.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';

/** What each failure means for the user, and what to do about it. */
const errorWords: Record<string, string> = {
  QUERY_TOO_BROAD: 'Too many rows match this request. Narrow the time range or add conditions.',
  PROVIDER_ERROR: 'The vendor could not be reached or answered with an error.',
  PROVIDER_UNAUTHORIZED:
    'The vendor refused the credential. Update it in Providers, then recreate this export.',
  PROVIDER_EXPORT_FAILED: 'The vendor reports that its export failed.',
  PROVIDER_EXPORT_EXPIRED:
    'The vendor kept expiring this export before it could be downloaded, even after re-creating it.',
  DOWNLOAD_FAILED: 'The file could not be downloaded completely from the vendor.',
  CHECKSUM_MISMATCH:
    'The downloaded file did not match what the vendor announced; it was discarded.',
  DISK_FULL: 'The disk is full. Free some space, then recreate this export.',
  INTERRUPTED: 'Export Manager stopped while this export was running.',
  CANCELED: 'This export was canceled.',
  INTERNAL: 'Something went wrong inside Export Manager.',
};

/** Rows and bytes per second, from the live updates this page has seen. */
function useSpeed(e: Export | null): { rows: number; bytes: number } | null {
  const first = useRef<{ t: number; rows: number; bytes: number; id: string } | null>(null);
  const [speed, setSpeed] = useState<{ rows: number; bytes: number } | null>(null);
  useEffect(() => {
    if (!e || !isActive(e)) {
      first.current = null;
      setSpeed(null);
      return;
    }
    const now = Date.now();
    const f = first.current;
    if (!f || f.id !== e.id) {
      first.current = { t: now, rows: e.rows_done, bytes: e.bytes_done, id: e.id };
      return;
    }
    const secs = (now - f.t) / 1000;
    if (secs >= 0.5)
      setSpeed({ rows: (e.rows_done - f.rows) / secs, bytes: (e.bytes_done - f.bytes) / secs });
  }, [e]);
  return speed;
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function ExportDetail({ id }: { id: string }) {
  const fromStore = useStore((s) => s.exports[id]);
  const providers = useStore((s) => s.providers.items);
  const schedules = useStore((s) => s.schedules.items);
  const [error, setError] = useState<string | null>(null);
  const e = fromStore;
  const speed = useSpeed(e ?? null);

  useEffect(() => {
    // Not in the loaded list (deep link, very old export): ask for it directly, into the store,
    // so live events and the reconnect refresh keep it current.
    if (fromStore) return;
    api.getExport(id).then(
      (x) => useStore.getState().upsertExports([x]),
      (err: unknown) => setError(describeError(err)),
    );
  }, [id, fromStore]);

  if (error) return <ErrorBanner what="Could not load this export" error={error} />;
  if (!e) return <p className="muted loading">Loading export…</p>;
  return <DetailBody e={e} speed={speed} providers={providers} schedules={schedules} />;
}

function DetailBody({
  e,
  speed,
  providers,
  schedules,
}: {
  e: Export;
  speed: { rows: number; bytes: number } | null;
  providers: { id: string; name: string }[] | null;
  schedules: { id: string; name: string }[] | null;
}) {
  const actions = useExportActions(e);
  const said = vendorSaid(e);
  const providerNames = Object.fromEntries((providers ?? []).map((p) => [p.id, p.name]));
  const schedule = e.schedule_id ? schedules?.find((s) => s.id === e.schedule_id) : null;
  const request: Record<string, unknown> =
    e.source.type === 'dataset'
      ? {
          dataset: e.source.dataset,
          format: e.format,
          compression: e.compression,
          columns: e.columns,
          filter: e.filter,
        }
      : { provider: e.source.provider_id, params: e.params };

  return (
    <div className="detail">
      <div className="detail-head">
        <div>
          <a href="#/exports" className="back">
            ← All exports
          </a>
          <h2 className="detail-title">
            {e.name} <StatusBadge status={e.status} />
          </h2>
          <p className="muted">
            {e.source.type === 'dataset' ? 'Local dataset' : 'Vendor'}{' '}
            <strong>{sourceLabel(e, providerNames)}</strong> · {e.format.toUpperCase()}
            {e.compression === 'gzip' ? ', gzip' : ''} · created <RelativeTime at={e.created_at} />
          </p>
        </div>
      </div>
      <ExportActionBar e={e} actions={actions} />

      <ExpiryBanner e={e} />
      {e.error && e.status !== 'canceled' ? (
        <div className="error-box" role="alert">
          <strong>{errorWords[e.error.code] ?? 'The export failed.'}</strong>
          <div className="vendor-message">
            {e.error.message} <code>{e.error.code}</code>
          </div>
          {said ? (
            <div className="vendor-message" data-testid="vendor-said">
              <span className="muted">Vendor said:</span> {said.message}{' '}
              {said.code ? <code>{said.code}</code> : null}
            </div>
          ) : null}
        </div>
      ) : null}

      {isActive(e) ? (
        <Section title="Progress">
          <ProgressBar
            pct={e.progress_pct}
            stage={e.progress_stage}
            label={`Progress of ${e.name}`}
          />
          <dl className="kv">
            <div>
              <dt>Rows</dt>
              <dd>{count(e.rows_done)}</dd>
            </div>
            <div>
              <dt>Bytes</dt>
              <dd>
                {bytes(e.bytes_done)}
                {e.bytes_total ? ` of ${bytes(e.bytes_total)}` : ''}
              </dd>
            </div>
            <div>
              <dt>Speed</dt>
              <dd data-testid="speed">
                {speed
                  ? `${count(Math.round(speed.rows))} rows/s · ${bytes(Math.round(speed.bytes))}/s`
                  : 'measuring…'}
              </dd>
            </div>
            <div>
              <dt>Running for</dt>
              <dd>{e.started_at ? duration(Date.now() - Date.parse(e.started_at)) : 'queued'}</dd>
            </div>
          </dl>
        </Section>
      ) : null}

      <div className="detail-grid">
        <Section title="Timeline">
          <ol className="timeline">
            {inTimeOrder(e.history, e.timeline).map((h, i) =>
              'status' in h ? (
                <li key={`${h.status}-${i}`}>
                  <StatusBadge status={h.status} />
                  <time dateTime={h.at}>{dateTime(h.at)}</time>
                </li>
              ) : (
                <TimelineStep key={`${h.kind}-${i}`} step={h} />
              ),
            )}
            {e.expires_at && e.status === 'completed' ? (
              <li>
                <span className="badge badge-expired">Expires</span>
                <time dateTime={e.expires_at}>
                  {dateTime(e.expires_at)} (<RelativeTime at={e.expires_at} />)
                </time>
              </li>
            ) : null}
          </ol>
        </Section>

        <Section title="Request">
          <p className="request-summary" data-testid="request-summary">
            {requestWords(e, providerNames).join(' · ')}
          </p>
          <details className="request-json">
            <summary>As the API takes it (JSON)</summary>
            <pre className="json" tabIndex={0} aria-label="The request as JSON">
              {JSON.stringify(request, null, 2)}
            </pre>
          </details>
          {e.recreated_from ? (
            <p>
              Recreated from <a href={`#/exports/${e.recreated_from}`}>an earlier export</a>.
            </p>
          ) : null}
          {e.schedule_id ? (
            <p>
              Made by the schedule{' '}
              <a href={`#/schedules/${e.schedule_id}`}>{schedule?.name ?? 'that made it'}</a>.
            </p>
          ) : null}
          {e.source.type === 'provider' && e.source.remote_id ? (
            <p className="muted">
              Vendor export id <code>{e.source.remote_id}</code>
              {e.source.remote_status ? `, vendor status “${e.source.remote_status}”` : ''}.
            </p>
          ) : null}
        </Section>
      </div>

      <Section title="Files">
        {e.files.length === 0 ? (
          <p className="muted">
            {isActive(e) ? 'The file appears here when the export completes.' : 'No file.'}
          </p>
        ) : (
          <table className="table files">
            <thead>
              <tr>
                <th>File</th>
                <th className="num">Size</th>
                <th className="num">Rows</th>
                <th>SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {e.files.map((f, i) => (
                <tr key={f.filename}>
                  <td>
                    {e.status === 'completed' ? (
                      <a href={downloadHref(e, i)}>{f.filename}</a>
                    ) : (
                      f.filename
                    )}
                  </td>
                  <td className="num">{bytes(f.byte_size)}</td>
                  <td className="num">{count(f.row_count)}</td>
                  <td className="hash">
                    <code title={f.sha256}>{f.sha256.slice(0, 16)}…</code>{' '}
                    <CopyButton text={f.sha256} what="SHA-256" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {e.destination ? (
          <div className="saved">
            <h3>Saved copies</h3>
            {e.destination.saved_paths.length ? (
              <ul className="plain">
                {e.destination.saved_paths.map((p) => (
                  <li key={p}>
                    <code>{p}</code>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">
                A copy goes to <code>{e.destination.dir}</code>
                {e.destination.decompress ? ', decompressed,' : ''} when the export completes.
              </p>
            )}
          </div>
        ) : null}
      </Section>
    </div>
  );
}
