// Every export, local and remote, as a queue: server-side pages, filters and sort in the URL,
// counts by status, multi-select with bulk actions, a density setting, live rows.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { bytes, count } from '../format.ts';
import { navigate, useRoute } from '../router.ts';
import { useStore } from '../store.ts';
import { EmptyState, ErrorBanner } from '../ui/kit.tsx';
import { BulkBar } from './exports-bulk.tsx';
import {
  matching,
  readListState,
  sorts,
  statusFilters,
  useExportsPage,
  useRows,
  writeListState,
  type ListState,
  type SortKey,
  type StatusFilter,
} from './exports-query.ts';
import { ExportRow, sourceLabel } from './exports-row.tsx';
import { totalSpeed } from './progress-words.ts';

export { sourceLabel };

type Density = 'comfortable' | 'compact';
const ROW_HEIGHT: Record<Density, number> = { comfortable: 58, compact: 28 };
const DENSITY_KEY = 'export-manager.density';

function useNow(ms = 5_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}

function useDensity(): [Density, (d: Density) => void] {
  const [density, set] = useState<Density>(() =>
    window.localStorage.getItem(DENSITY_KEY) === 'compact' ? 'compact' : 'comfortable',
  );
  return [
    density,
    (d) => {
      window.localStorage.setItem(DENSITY_KEY, d);
      set(d);
    },
  ];
}

export function ExportsScreen() {
  const route = useRoute();
  const providers = useStore((s) => s.providers.items);
  const datasets = useStore((s) => s.datasets);
  const [state, setState] = useState<ListState>(() => readListState(route.query));
  const [query, setQuery] = useState(state.q);
  const [density, setDensity] = useDensity();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const lastPicked = useRef<number | null>(null);
  const now = useNow();
  const scrollRef = useRef<HTMLDivElement>(null);
  const page = useExportsPage(state);
  const rows = useRows(page.ids);

  const update = (patch: Partial<ListState>) => {
    const next = { ...state, ...patch };
    setState(next);
    writeListState(next);
    setSelected(new Set());
    // Another list: start at its top.
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  };
  // The search box asks the server once typing pauses.
  useEffect(() => {
    if (query === state.q) return;
    const t = window.setTimeout(() => update({ q: query }), 250);
    return () => window.clearTimeout(t);
  });

  useEffect(() => {
    const s = useStore.getState();
    void s.loadDatasets();
    void s.loadProviders();
  }, []);

  const providerNames = useMemo(
    () => Object.fromEntries((providers ?? []).map((p) => [p.id, p.name])),
    [providers],
  );
  const hasLeads = (datasets ?? []).some((d) => d.name === 'leads');
  const rowHeight = ROW_HEIGHT[density];
  const virtualizer = useVirtualizer({
    count: rows.length + (page.hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);
  // Another query's rows: start at their top, whatever the scroll did while they loaded.
  useLayoutEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [page.listId]);
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1]!.index : -1;
  useEffect(() => {
    if (page.hasMore && lastIndex >= rows.length - 10) page.loadMore();
  }, [lastIndex, rows.length, page]);

  const total = page.totals?.total ?? null;
  const shown = matching(page.counts, state.status);
  const filtered = state.status !== 'all' || state.source !== 'all' || state.q.trim() !== '';
  const running = page.totals?.by_status.processing ?? 0;
  const queued = page.totals?.by_status.pending ?? 0;
  const speed = running ? totalSpeed(rows, now) : null;
  const selectedRows = rows.filter((e) => selected.has(e.id));
  const allSelected = rows.length > 0 && selectedRows.length === rows.length;

  const pick = (index: number, id: string, on: boolean, shift: boolean) => {
    const next = new Set(selected);
    const from = shift && lastPicked.current !== null ? lastPicked.current : index;
    for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
      const rowId = rows[i]?.id;
      if (rowId) {
        if (on) next.add(rowId);
        else next.delete(rowId);
      }
    }
    next[on ? 'add' : 'delete'](id);
    lastPicked.current = index;
    setSelected(next);
  };

  return (
    <>
      <div className="toolbar">
        <input
          type="search"
          className="search"
          placeholder="Search by name"
          aria-label="Search exports by name"
          aria-keyshortcuts="/"
          value={query}
          onChange={(ev) => setQuery(ev.target.value)}
        />
        <select
          aria-label="Filter by status"
          value={state.status}
          onChange={(ev) => update({ status: ev.target.value as StatusFilter })}
        >
          {Object.entries(statusFilters).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <select
          aria-label="Filter by source"
          value={state.source}
          onChange={(ev) => update({ source: ev.target.value })}
        >
          <option value="all">All sources</option>
          <option value="dataset">Local datasets</option>
          <option value="provider">Vendors</option>
          {(datasets ?? []).map((d) => (
            <option key={d.name} value={d.name}>
              Dataset: {d.name}
            </option>
          ))}
          {(providers ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              Vendor: {p.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Sort"
          value={state.sort}
          onChange={(ev) => update({ sort: ev.target.value as SortKey })}
        >
          {Object.entries(sorts).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <select
          aria-label="Density"
          value={density}
          onChange={(ev) => setDensity(ev.target.value as Density)}
        >
          <option value="comfortable">Comfortable</option>
          <option value="compact">Compact</option>
        </select>
        <span className="muted summary" data-testid="exports-summary" aria-live="polite">
          {total === null
            ? ''
            : `${filtered ? `${count(shown)} of ${count(total)}` : count(total)} export${total === 1 ? '' : 's'}`}
          {running ? ` · ${count(running)} running` : ''}
          {queued ? ` · ${count(queued)} queued` : ''}
          {speed ? ` · ${bytes(speed)}/s in all` : ''}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="primary"
          aria-keyshortcuts="n"
          onClick={() => navigate('exports/new')}
        >
          New export
        </button>
      </div>
      {selectedRows.length ? (
        <BulkBar selected={selectedRows} onClear={() => setSelected(new Set())} />
      ) : null}
      {page.error ? <ErrorBanner what="Could not load exports" error={page.error} /> : null}
      {page.loading ? (
        <p className="muted loading">Loading exports…</p>
      ) : total === 0 ? (
        <EmptyState
          title="No exports yet"
          body={
            hasLeads
              ? "Start with the demo dataset leads: export it whole, or only the rows you filter. Vendors' exports and scripts calling POST /v1/exports appear here too, and update live."
              : "Export a local dataset, or have a vendor's export fetched for you. Scripts can also call POST /v1/exports; every export appears here and updates live."
          }
        >
          <button type="button" className="primary" onClick={() => navigate('exports/new')}>
            {hasLeads ? 'Export the leads dataset' : 'Create your first export'}
          </button>
        </EmptyState>
      ) : (
        <div
          className={`grid density-${density}`}
          role="table"
          aria-label="Exports"
          aria-rowcount={(shown ?? rows.length) + 1}
        >
          <div className="grid-row grid-head" role="row">
            <div role="columnheader" className="cell-select">
              <input
                type="checkbox"
                aria-label="Select all loaded exports"
                checked={allSelected}
                onChange={(ev) =>
                  setSelected(ev.target.checked ? new Set(rows.map((e) => e.id)) : new Set())
                }
              />
            </div>
            <div role="columnheader">Name</div>
            <div role="columnheader" className="col-source">
              Source
            </div>
            <div role="columnheader">Status</div>
            <div role="columnheader" className="num col-rows">
              Rows
            </div>
            <div role="columnheader" className="num col-size">
              Size
            </div>
            <div role="columnheader" className="col-created">
              Created
            </div>
            <div role="columnheader" className="col-expires">
              Expires
            </div>
            <div role="columnheader">
              <span className="visually-hidden">Actions</span>
            </div>
          </div>
          <div
            className="grid-scroll"
            ref={scrollRef}
            data-testid="exports-scroll"
            tabIndex={0}
            role="rowgroup"
            aria-label="Exports list"
          >
            {rows.length === 0 ? (
              <div role="row">
                <p className="muted grid-empty" role="cell">
                  No export matches these filters.
                </p>
              </div>
            ) : (
              <div className="grid-body" style={{ height: virtualizer.getTotalSize() }}>
                {items.map((v) => {
                  const e = rows[v.index];
                  if (!e)
                    return (
                      <div
                        key="more"
                        className="grid-row grid-more muted"
                        role="row"
                        style={{ transform: `translateY(${v.start}px)`, height: rowHeight }}
                      >
                        <div role="cell">Loading more…</div>
                      </div>
                    );
                  return (
                    <ExportRow
                      key={e.id}
                      e={e}
                      now={now}
                      source={sourceLabel(e, providerNames)}
                      compact={density === 'compact'}
                      selected={selected.has(e.id)}
                      onSelect={(on, shift) => pick(v.index, e.id, on, shift)}
                      style={{ transform: `translateY(${v.start}px)`, height: rowHeight }}
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
