// One row of the exports table: selection, name, source, progress in words (x of y, speed, ETA),
// sizes (none for a canceled export), times, actions.
import type { Export } from '../../../shared/schemas/exports.ts';
import { bytes, count, relative } from '../format.ts';
import { progressWords } from './progress-words.ts';

export { progressWords };
import { isActive, ProgressBar, StatusBadge } from '../ui/kit.tsx';
import { ActionMenu, downloadHref, useExportActions } from './export-actions.tsx';
import { InlineRecreate } from './expiry-parts.tsx';

export function sourceLabel(e: Export, providerNames: Record<string, string>): string {
  if (e.source.type === 'dataset') return e.source.dataset;
  return providerNames[e.source.provider_id] ?? e.source.provider_type;
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
        <InlineRecreate e={e} />
        <ActionMenu label={`More actions for ${e.name}`} actions={actions} />
      </div>
    </div>
  );
}
