// The exports list as the server pages it: filters and sort kept in the URL, pages fetched on
// demand, counts by status, and live updates merged in without refetching everything.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Export, ExportCounts, ExportStatus } from '../../../shared/schemas/exports.ts';
import { api, describeError } from '../api.ts';
import { useStore } from '../store.ts';

export const PAGE_SIZE = 100;

export const statusFilters = {
  all: 'All statuses',
  'pending,processing': 'Queued or running',
  pending: 'Queued',
  processing: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  expired: 'Expired',
} as const;
export type StatusFilter = keyof typeof statusFilters;

export const sorts = {
  created_desc: 'Newest first',
  created_asc: 'Oldest first',
  name_asc: 'Name A–Z',
  name_desc: 'Name Z–A',
} as const;
export type SortKey = keyof typeof sorts;

export interface ListState {
  readonly status: StatusFilter;
  readonly source: string;
  readonly q: string;
  readonly sort: SortKey;
}

/** The list's state from the hash's query (`#/exports?status=failed&q=texas`), defaults filled. */
export function readListState(query: URLSearchParams): ListState {
  const status = query.get('status') ?? 'all';
  const sort = query.get('sort') ?? 'created_desc';
  return {
    status: status in statusFilters ? (status as StatusFilter) : 'all',
    source: query.get('source') ?? 'all',
    q: query.get('q') ?? '',
    sort: sort in sorts ? (sort as SortKey) : 'created_desc',
  };
}

/** The API's list parameters for this state (defaults left out). */
export function apiParams(st: ListState, withStatus = true): URLSearchParams {
  const p = new URLSearchParams();
  if (withStatus && st.status !== 'all') p.set('status', st.status);
  if (st.source !== 'all') p.set('source', st.source);
  if (st.q.trim()) p.set('q', st.q.trim());
  if (withStatus && st.sort !== 'created_desc') p.set('sort', st.sort);
  return p;
}

/** Writes the state into the URL without a new history entry, so reload keeps the filters. */
export function writeListState(st: ListState): void {
  const p = apiParams(st);
  const qs = p.toString();
  window.history.replaceState(null, '', `#/exports${qs ? `?${qs}` : ''}`);
}

/** How many exports of the counts match the status filter. */
export function matching(counts: ExportCounts | null, status: StatusFilter): number | null {
  if (!counts) return null;
  if (status === 'all') return counts.total;
  return status.split(',').reduce((n, st) => n + (counts.by_status[st as ExportStatus] ?? 0), 0);
}

export interface ExportsPage {
  readonly ids: readonly string[];
  readonly loading: boolean;
  readonly error: string | null;
  readonly hasMore: boolean;
  /** Changes each time the list is replaced by another query's first page (not on live updates). */
  readonly listId: number;
  /** Counts under the source and search filters, and over everything. */
  readonly counts: ExportCounts | null;
  readonly totals: ExportCounts | null;
  loadMore(): void;
}

export function useExportsPage(st: ListState): ExportsPage {
  const [ids, setIds] = useState<readonly string[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [listId, setListId] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [counts, setCounts] = useState<ExportCounts | null>(null);
  const [totals, setTotals] = useState<ExportCounts | null>(null);
  const params = useMemo(() => apiParams(st), [st]);
  const key = params.toString();
  const generation = useRef(0);
  const loadingMore = useRef(false);

  const refreshCounts = useCallback(async () => {
    try {
      const [c, t] = await Promise.all([
        api.exportCounts(apiParams(st, false)),
        api.exportCounts(),
      ]);
      setCounts(c);
      setTotals(t);
    } catch {
      // The list's own request reports the failure.
    }
  }, [st]);

  /** The first page again; rows already loaded further down stay, in their order. */
  const reloadFirst = useCallback(
    async (replace: boolean) => {
      const gen = replace ? ++generation.current : generation.current;
      try {
        const page = await api.listExports(new URLSearchParams(key), null, PAGE_SIZE);
        if (gen !== generation.current) return;
        useStore.getState().upsertExports(page.data);
        const first = page.data.map((e) => e.id);
        if (replace) {
          setIds(first);
          setCursor(page.next);
          setListId((n) => n + 1);
        } else {
          setIds((prev) => {
            const seen = new Set(first);
            return [...first, ...prev.filter((id) => !seen.has(id))];
          });
        }
        setError(null);
      } catch (err) {
        if (gen === generation.current) setError(describeError(err));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [key],
  );

  useEffect(() => {
    setLoading(true);
    // The previous query's cursor must not fetch a "next page" of this one.
    setCursor(null);
    void reloadFirst(true);
    void refreshCounts();
  }, [reloadFirst, refreshCounts]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore.current) return;
    loadingMore.current = true;
    const gen = generation.current;
    void api
      .listExports(new URLSearchParams(key), cursor, PAGE_SIZE)
      .then((page) => {
        if (gen !== generation.current) return;
        useStore.getState().upsertExports(page.data);
        setIds((prev) => {
          const seen = new Set(prev);
          return [...prev, ...page.data.map((e) => e.id).filter((id) => !seen.has(id))];
        });
        setCursor(page.next);
      })
      .catch((err: unknown) => setError(describeError(err)))
      .finally(() => (loadingMore.current = false));
  }, [cursor, key]);

  // Live: an export this page has not seen (new, or newly matching) brings the first page again;
  // every change refreshes the counts. Both at most once a second.
  const known = useRef(new Set<string>());
  known.current = new Set(ids);
  useEffect(() => {
    let timer: number | null = null;
    let sawNew = false;
    const unsubscribe = useStore.subscribe((s, prev) => {
      if (s.exports === prev.exports) return;
      for (const id in s.exports)
        if (s.exports[id] !== prev.exports[id] && !known.current.has(id)) sawNew = true;
      timer ??= window.setTimeout(() => {
        timer = null;
        if (sawNew) void reloadFirst(false);
        sawNew = false;
        void refreshCounts();
      }, 1000);
    });
    return () => {
      unsubscribe();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [reloadFirst, refreshCounts]);

  const present = useStore((s) => s.exports);
  const live = useMemo(() => ids.filter((id) => present[id]), [ids, present]);
  return {
    ids: live,
    loading,
    error,
    hasMore: cursor !== null,
    listId,
    counts,
    totals,
    loadMore,
  };
}

/** Exports of the page by id, as the store keeps them live. */
export function useRows(ids: readonly string[]): Export[] {
  const byId = useStore((s) => s.exports);
  return useMemo(() => ids.map((id) => byId[id]!).filter(Boolean), [ids, byId]);
}
