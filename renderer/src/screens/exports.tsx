// Every export, local and remote, live: filters, search, a virtualised table, actions per row.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Export } from '../../../shared/schemas/exports.ts';
import { bytes, count, relative } from '../format.ts';
import { navigate } from '../router.ts';
import { useStore } from '../store.ts';
import { EmptyState, ErrorBanner, isActive, ProgressBar, StatusBadge } from '../ui/kit.tsx';
import { ActionMenu, downloadHref, useExportActions } from './export-actions.tsx';
import { InlineRecreate } from './expiry-parts.tsx';

const ROW_HEIGHT = 58;

export function sourceLabel(e: Export, providerNames: Record<string, string>): string {
  if (e.source.type === 'dataset') return e.source.dataset;
  return providerNames[e.source.provider_id] ?? e.source.provider_type;
}

function useNow(ms = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}

function Row({
  e,
  now,
  source,
  style,
}: {
  e: Export;
  now: number;
  source: string;
  style: React.CSSProperties;
}) {
  const actions = useExportActions(e);
  return (
    <div className="grid-row" role="row" style={style} data-testid="export-row" data-id={e.id}>
      <div role="cell" className="cell-name">
        <a href={`#/exports/${e.id}`} className="row-link">
          {e.name}
        </a>
        {e.error && e.status === 'failed' ? (
          <div className="row-error" title={e.error.message}>
            {e.error.message}
          </div>
        ) : e.schedule_id ? (
          <div className="row-sub muted">scheduled</div>
        ) : null}
      </div>
      <div role="cell" className="cell-source">
        <span className={`source-kind source-${e.source.type}`}>
          {e.source.type === 'dataset' ? 'Local' : 'Vendor'}
        </span>{' '}
        {source}
      </div>
      <div role="cell" className="cell-status">
        {isActive(e) ? (
          <ProgressBar
            pct={e.progress_pct}
            stage={e.progress_stage ?? (e.status === 'pending' ? 'queued' : null)}
            label={`Progress of ${e.name}`}
          />
        ) : (
          <StatusBadge status={e.status} />
        )}
      </div>
      <div role="cell" className="num">
        {count(e.row_count ?? (e.rows_done || null))}
      </div>
      <div role="cell" className="num">
        {bytes(e.byte_size ?? (e.bytes_done || null))}
      </div>
      <div role="cell" title={e.created_at}>
        {relative(e.created_at, now)}
      </div>
      <div role="cell" title={e.expires_at ?? undefined}>
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

type StatusFilter = 'all' | 'active' | Export['status'];

function matches(e: Export, status: StatusFilter, source: string, q: string): boolean {
  if (status === 'active' ? !isActive(e) : status !== 'all' && e.status !== status) return false;
  if (source === 'dataset' || source === 'provider') {
    if (e.source.type !== source) return false;
  } else if (source !== 'all') {
    const key = e.source.type === 'dataset' ? `d:${e.source.dataset}` : `p:${e.source.provider_id}`;
    if (key !== source) return false;
  }
  return q === '' || e.name.toLowerCase().includes(q);
}

export function ExportsScreen() {
  const exportsById = useStore((s) => s.exports);
  const loaded = useStore((s) => s.exportsLoaded);
  const error = useStore((s) => s.exportsError);
  const providers = useStore((s) => s.providers.items);
  const datasets = useStore((s) => s.datasets);
  const [status, setStatus] = useState<StatusFilter>('all');
  const [source, setSource] = useState('all');
  const [query, setQuery] = useState('');
  const now = useNow();
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const s = useStore.getState();
    if (!s.exportsLoaded) void s.loadExports();
    void s.loadDatasets();
    void s.loadProviders();
  }, []);

  const providerNames = useMemo(
    () => Object.fromEntries((providers ?? []).map((p) => [p.id, p.name])),
    [providers],
  );
  const all = useMemo(
    () =>
      Object.values(exportsById).sort((a, b) =>
        a.created_at < b.created_at
          ? 1
          : a.created_at > b.created_at
            ? -1
            : b.id.localeCompare(a.id),
      ),
    [exportsById],
  );
  const q = query.trim().toLowerCase();
  const rows = useMemo(
    () => all.filter((e) => matches(e, status, source, q)),
    [all, status, source, q],
  );
  const running = useMemo(() => all.filter(isActive).length, [all]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  const filtered = status !== 'all' || source !== 'all' || q !== '';

  return (
    <>
      <div className="toolbar">
        <input
          type="search"
          className="search"
          placeholder="Search by name"
          aria-label="Search exports by name"
          value={query}
          onChange={(ev) => setQuery(ev.target.value)}
        />
        <select
          aria-label="Filter by status"
          value={status}
          onChange={(ev) => setStatus(ev.target.value as StatusFilter)}
        >
          <option value="all">All statuses</option>
          <option value="active">Queued or running</option>
          <option value="completed">Completed</option>
          <option value="failed">Failed</option>
          <option value="canceled">Canceled</option>
          <option value="expired">Expired</option>
        </select>
        <select
          aria-label="Filter by source"
          value={source}
          onChange={(ev) => setSource(ev.target.value)}
        >
          <option value="all">All sources</option>
          <option value="dataset">Local datasets</option>
          <option value="provider">Vendors</option>
          {(datasets ?? []).map((d) => (
            <option key={d.name} value={`d:${d.name}`}>
              Dataset: {d.name}
            </option>
          ))}
          {(providers ?? []).map((p) => (
            <option key={p.id} value={`p:${p.id}`}>
              Vendor: {p.name}
            </option>
          ))}
        </select>
        <span className="muted summary" data-testid="exports-summary">
          {filtered ? `${count(rows.length)} of ${count(all.length)}` : count(all.length)} export
          {all.length === 1 ? '' : 's'}
          {running ? ` · ${running} running` : ''}
        </span>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => navigate('exports/new')}>
          New export
        </button>
      </div>
      {error ? <ErrorBanner what="Could not load exports" error={error} /> : null}
      {!loaded ? (
        <p className="muted loading">Loading exports…</p>
      ) : all.length === 0 ? (
        <EmptyState
          title="No exports yet"
          body="Export a local dataset, or have a vendor's export fetched for you. Scripts can also call POST /v1/exports; every export appears here and updates live."
        >
          <button type="button" className="primary" onClick={() => navigate('exports/new')}>
            Create your first export
          </button>
        </EmptyState>
      ) : (
        <div className="grid" role="table" aria-label="Exports" aria-rowcount={rows.length + 1}>
          <div className="grid-row grid-head" role="row">
            <div role="columnheader">Name</div>
            <div role="columnheader">Source</div>
            <div role="columnheader">Status</div>
            <div role="columnheader" className="num">
              Rows
            </div>
            <div role="columnheader" className="num">
              Size
            </div>
            <div role="columnheader">Created</div>
            <div role="columnheader">Expires</div>
            <div role="columnheader">
              <span className="visually-hidden">Actions</span>
            </div>
          </div>
          <div className="grid-scroll" ref={scrollRef} data-testid="exports-scroll">
            {rows.length === 0 ? (
              <p className="muted grid-empty">No export matches these filters.</p>
            ) : (
              <div
                className="grid-body"
                role="rowgroup"
                style={{ height: virtualizer.getTotalSize() }}
              >
                {virtualizer.getVirtualItems().map((v) => {
                  const e = rows[v.index]!;
                  return (
                    <Row
                      key={e.id}
                      e={e}
                      now={now}
                      source={sourceLabel(e, providerNames)}
                      style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
                    />
                  );
                })}
              </div>
            )}
          </div>
        </div>
      )}
    </>
  );
}
