// One row of the exports table: selection, name, source, progress in words (x of y, speed, ETA),
// sizes (none for a canceled export), times, actions.
import type { Export } from '../../../shared/schemas/exports.ts';
import { bytes, count, duration, relative } from '../format.ts';
import { isActive, ProgressBar, StatusBadge } from '../ui/kit.tsx';
import { ActionMenu, downloadHref, useExportActions } from './export-actions.tsx';

export function sourceLabel(e: Export, providerNames: Record<string, string>): string {
  if (e.source.type === 'dataset') return e.source.dataset;
  return providerNames[e.source.provider_id] ?? e.source.provider_type;
}

/** "1,200 of 5,000 rows · 2.1 MB/s · about 12 s left", from what the export knows so far. */
export function progressWords(e: Export, now: number): string | null {
  if (e.status === 'pending') return 'Queued';
  if (e.status !== 'processing') return null;
  const parts: string[] = [];
  if (e.rows_done > 0)
    parts.push(
      e.row_count
        ? `${count(e.rows_done)} of ${count(e.row_count)} rows`
        : `${count(e.rows_done)} rows`,
    );
  else if (e.bytes_total && e.bytes_done > 0)
    parts.push(`${bytes(e.bytes_done)} of ${bytes(e.bytes_total)}`);
  const started = e.started_at ? Date.parse(e.started_at) : NaN;
  const elapsed = Number.isNaN(started) ? 0 : Math.max(0, now - started);
  if (elapsed > 1000 && e.bytes_done > 0) {
    parts.push(`${bytes((e.bytes_done * 1000) / elapsed)}/s`);
    let left: number | null = null;
    if (e.bytes_total && e.bytes_total > e.bytes_done)
      left = ((e.bytes_total - e.bytes_done) * elapsed) / e.bytes_done;
    else if (e.progress_pct > 0 && e.progress_pct < 100)
      left = (elapsed * (100 - e.progress_pct)) / e.progress_pct;
    if (left !== null) parts.push(`about ${duration(left)} left`);
  }
  return parts.length ? parts.join(' · ') : null;
}

/** A canceled or failed export's partial counts are not results: shown as a dash. */
const finalCounts = (e: Export) =>
  e.status === 'completed' || e.status === 'expired' || isActive(e);

export function ExportRow({
  e,
  now,
  source,
  style,
  selected,
  onSelect,
  compact,
}: {
  e: Export;
  now: number;
  source: string;
  style: React.CSSProperties;
  selected: boolean;
  onSelect(on: boolean, shift: boolean): void;
  compact: boolean;
}) {
  const actions = useExportActions(e);
  const words = progressWords(e, now);
  const shown = finalCounts(e);
  return (
    <div
      className={`grid-row${selected ? ' selected' : ''}`}
      role="row"
      aria-selected={selected}
      style={style}
      data-testid="export-row"
      data-id={e.id}
    >
      <div role="cell" className="cell-select">
        <input
          type="checkbox"
          checked={selected}
          aria-label={`Select ${e.name}`}
          onChange={(ev) =>
            onSelect(ev.target.checked, (ev.nativeEvent as MouseEvent).shiftKey === true)
          }
        />
      </div>
      <div role="cell" className="cell-name">
        <a href={`#/exports/${e.id}`} className="row-link">
          {e.name}
        </a>
        {compact ? null : e.error && e.status === 'failed' ? (
          <div className="row-error" title={e.error.message}>
            {e.error.message}
          </div>
        ) : e.schedule_id ? (
          <div className="row-sub muted">scheduled</div>
        ) : null}
      </div>
      <div role="cell" className="cell-source col-source">
        <span className={`source-kind source-${e.source.type}`}>
          {e.source.type === 'dataset' ? 'Local' : 'Vendor'}
        </span>{' '}
        {source}
      </div>
      <div role="cell" className="cell-status">
        {e.status === 'processing' ? (
          <ProgressBar
            pct={e.progress_pct}
            stage={compact ? 'running' : (words ?? e.progress_stage ?? 'running')}
            label={`Progress of ${e.name}`}
          />
        ) : (
          <StatusBadge status={e.status} />
        )}
      </div>
      <div role="cell" className="num col-rows">
        {shown ? count(e.row_count ?? (e.rows_done || null)) : '—'}
      </div>
      <div role="cell" className="num col-size">
        {shown ? bytes(e.byte_size ?? (e.bytes_done || null)) : '—'}
      </div>
      <div role="cell" className="col-created" title={e.created_at}>
        {relative(e.created_at, now)}
      </div>
      <div role="cell" className="col-expires" title={e.expires_at ?? undefined}>
        {e.status === 'completed' ? relative(e.expires_at, now) : '—'}
      </div>
      <div role="cell" className="cell-actions">
        {e.status === 'completed' ? (
          <a className="button" href={downloadHref(e)} aria-label={`Download ${e.name}`}>
            Download
          </a>
        ) : null}
        <ActionMenu label={`More actions for ${e.name}`} actions={actions} />
      </div>
    </div>
  );
}
