// App state (zustand): connection, and every list the screens show, kept live by the SSE stream.
import { create } from 'zustand';
import type { Dataset } from '../../shared/schemas/datasets.ts';
import type { Export, ExportCounts } from '../../shared/schemas/exports.ts';
import type { Provider } from '../../shared/schemas/providers.ts';
import type { Schedule } from '../../shared/schemas/schedules.ts';
import type { Settings } from '../../shared/schemas/system.ts';
import { api, ApiFailure, describeError } from './api.ts';
import { eventsUrl } from './team-engine.ts';

export type Connection = 'connecting' | 'connected' | 'offline' | 'signed-out';

/** A list as the screens see it: not loaded yet, loaded, or failed with words for the user. */
export interface Loadable<T> {
  readonly items: T | null;
  readonly error: string | null;
}

export interface Notice {
  readonly id: number;
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

interface State {
  connection: Connection;
  /** Why the engine is offline, in the words of the failure (the team engine's relay says which). */
  connectionError: string | null;
  version: string | null;
  exports: Record<string, Export>;
  exportsLoaded: boolean;
  exportsError: string | null;
  /** Counts by status over every export, for the sidebar and the toolbar. */
  exportCounts: ExportCounts | null;
  loadExportCounts(): Promise<void>;
  datasets: Dataset[] | null;
  datasetsError: string | null;
  providers: Loadable<Provider[]>;
  schedules: Loadable<Schedule[]>;
  settings: Settings | null;
  notices: Notice[];
  setConnection(c: Connection, version?: string | null, error?: string | null): void;
  upsertExports(list: readonly Export[]): void;
  removeExport(id: string): void;
  loadExports(): Promise<void>;
  loadDatasets(): Promise<void>;
  loadProviders(): Promise<void>;
  upsertSchedule(s: Schedule): void;
  removeSchedule(id: string): void;
  loadSchedules(): Promise<void>;
  loadSettings(): Promise<void>;
  setSettings(s: Settings): void;
  notify(kind: Notice['kind'], text: string): void;
  dismiss(id: number): void;
}

let noticeId = 0;

function failed(err: unknown, set: (p: Partial<State>) => void): string {
  if (err instanceof ApiFailure && err.status === 401) set({ connection: 'signed-out' });
  return describeError(err);
}

export const useStore = create<State>((set, get) => ({
  connection: 'connecting',
  connectionError: null,
  version: null,
  exports: {},
  exportsLoaded: false,
  exportsError: null,
  exportCounts: null,
  async loadExportCounts() {
    try {
      set({ exportCounts: await api.exportCounts() });
    } catch (err) {
      failed(err, set);
    }
  },
  datasets: null,
  datasetsError: null,
  providers: { items: null, error: null },
  schedules: { items: null, error: null },
  settings: null,
  notices: [],
  setConnection: (connection, version, error = null) =>
    set({ connection, connectionError: error, ...(version !== undefined ? { version } : {}) }),
  upsertExports: (list) => {
    if (list.length === 0) return;
    const next = { ...get().exports };
    for (const e of list) {
      const prev = next[e.id];
      // Events can arrive out of order with a reload: never go back to an older state.
      if (!prev || prev.updated_at <= e.updated_at) next[e.id] = e;
    }
    set({ exports: next });
  },
  removeExport: (id) => {
    if (!get().exports[id]) return;
    const next = { ...get().exports };
    delete next[id];
    set({ exports: next });
  },
  async loadExports() {
    try {
      const all: Record<string, Export> = {};
      let cursor: string | undefined;
      // Up to 20,000 exports, newest first, in pages of 1,000.
      for (let i = 0; i < 20; i++) {
        const page = await api.exports(cursor);
        for (const e of page.data) all[e.id] = e;
        if (!page.next) break;
        cursor = page.next;
      }
      set({ exports: all, exportsLoaded: true, exportsError: null });
    } catch (err) {
      set({ exportsLoaded: true, exportsError: failed(err, set) });
    }
  },
  async loadDatasets() {
    try {
      set({ datasets: await api.datasets(), datasetsError: null });
    } catch (err) {
      set({ datasetsError: failed(err, set) });
    }
  },
  async loadProviders() {
    try {
      set({ providers: { items: await api.providers(), error: null } });
    } catch (err) {
      set({ providers: { items: get().providers.items, error: failed(err, set) } });
    }
  },
  upsertSchedule: (s) => {
    const items = get().schedules.items ?? [];
    const i = items.findIndex((x) => x.id === s.id);
    const next = i < 0 ? [...items, s] : items.map((x) => (x.id === s.id ? s : x));
    set({ schedules: { items: next, error: null } });
  },
  removeSchedule: (id) => {
    const items = get().schedules.items;
    if (items) set({ schedules: { items: items.filter((x) => x.id !== id), error: null } });
  },
  async loadSchedules() {
    try {
      set({ schedules: { items: await api.schedules(), error: null } });
    } catch (err) {
      set({ schedules: { items: get().schedules.items, error: failed(err, set) } });
    }
  },
  async loadSettings() {
    try {
      set({ settings: await api.settings() });
    } catch (err) {
      failed(err, set);
    }
  },
  setSettings: (settings) => set({ settings }),
  notify: (kind, text) => {
    const id = ++noticeId;
    set({ notices: [...get().notices.slice(-3), { id, kind, text }] });
    window.setTimeout(() => get().dismiss(id), kind === 'error' ? 9000 : 4000);
  },
  dismiss: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
}));

/** Runs an action; a failure becomes a notice in words, success optionally too. */
export async function attempt<T>(fn: () => Promise<T>, success?: string): Promise<T | undefined> {
  try {
    const r = await fn();
    if (success) useStore.getState().notify('ok', success);
    return r;
  } catch (err) {
    useStore.getState().notify('error', describeError(err));
    return undefined;
  }
}

/** Health polling for the indicator, and the SSE stream that keeps every list live. */
export function startLiveUpdates(): () => void {
  const { setConnection } = useStore.getState();
  let stopped = false;
  let source: EventSource | null = null;
  const checkHealth = async () => {
    try {
      const h = await api.health();
      if (useStore.getState().connection !== 'signed-out') setConnection('connected', h.version);
      // A stream refused while the engine was away (a relay's 502) is not retried by the
      // browser: open it again now that the engine answers.
      if (!stopped && source?.readyState === EventSource.CLOSED) openStream();
    } catch (err) {
      setConnection('offline', undefined, describeError(err));
    }
  };
  void checkHealth();
  const timer = window.setInterval(() => void checkHealth(), 5000);

  // Progress events come many per second while exports run: apply them once per frame.
  let queued: Export[] = [];
  let flushTimer: number | null = null;
  let countsTimer: number | null = null;
  const refreshCounts = () => {
    countsTimer ??= window.setTimeout(() => {
      countsTimer = null;
      void useStore.getState().loadExportCounts();
    }, 1000);
  };
  const flush = () => {
    flushTimer = null;
    const batch = queued;
    queued = [];
    useStore.getState().upsertExports(batch);
    if (batch.length) refreshCounts();
  };
  const onExport = (ev: MessageEvent<string>) => {
    queued.push(JSON.parse(ev.data) as Export);
    flushTimer ??= window.setTimeout(flush, 100);
  };

  const listen = (stream: EventSource) => {
    stream.addEventListener('export.updated', onExport);
    stream.addEventListener('export.deleted', (ev: MessageEvent<string>) => {
      flush();
      useStore.getState().removeExport((JSON.parse(ev.data) as { id: string }).id);
      refreshCounts();
    });
    stream.addEventListener('dataset.updated', () => void useStore.getState().loadDatasets());
    stream.addEventListener('dataset.deleted', () => void useStore.getState().loadDatasets());
    const onSchedule = (ev: MessageEvent<string>) =>
      useStore.getState().upsertSchedule(JSON.parse(ev.data) as Schedule);
    stream.addEventListener('schedule.updated', onSchedule);
    stream.addEventListener('schedule.fired', onSchedule);
    stream.addEventListener('schedule.failed', onSchedule);
    stream.addEventListener('schedule.deleted', (ev: MessageEvent<string>) =>
      useStore.getState().removeSchedule((JSON.parse(ev.data) as { id: string }).id),
    );
    // After a (re)connect, events may have been missed: reload the lists.
    stream.onopen = () => {
      if (stopped) return;
      const s = useStore.getState();
      // The whole history only where a screen asked for it; the exports screen pages on its own.
      if (s.exportsLoaded) void s.loadExports();
      // Otherwise (a deep link to one export), every export still running in the store is read
      // again: it may have finished before the stream was open.
      else
        for (const e of Object.values(s.exports))
          if (e.status === 'pending' || e.status === 'processing')
            api.getExport(e.id).then(
              (fresh) => useStore.getState().upsertExports([fresh]),
              () => undefined, // gone or unreachable: the next event or reconnect says so
            );
      void s.loadExportCounts();
      void s.loadDatasets();
      void s.loadSchedules();
    };
  };
  const openStream = () => {
    source?.close();
    source = new EventSource(eventsUrl());
    listen(source);
  };
  openStream();
  return () => {
    stopped = true;
    window.clearInterval(timer);
    if (flushTimer !== null) window.clearTimeout(flushTimer);
    if (countsTimer !== null) window.clearTimeout(countsTimer);
    source?.close();
  };
}
