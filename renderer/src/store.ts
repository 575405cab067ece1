// App state (zustand): connection, exports kept live by the SSE stream, datasets.
import { create } from 'zustand';
import type { Dataset } from '../../shared/schemas/datasets.ts';
import type { Export } from '../../shared/schemas/exports.ts';
import { api, ApiFailure, describeError } from './api.ts';

export type Connection = 'connecting' | 'connected' | 'offline' | 'signed-out';

interface State {
  connection: Connection;
  version: string | null;
  exports: Record<string, Export>;
  exportsLoaded: boolean;
  exportsError: string | null;
  datasets: Dataset[] | null;
  datasetsError: string | null;
  setConnection(c: Connection, version?: string | null): void;
  upsertExport(e: Export): void;
  removeExport(id: string): void;
  loadExports(): Promise<void>;
  loadDatasets(): Promise<void>;
}

export const useStore = create<State>((set, get) => ({
  connection: 'connecting',
  version: null,
  exports: {},
  exportsLoaded: false,
  exportsError: null,
  datasets: null,
  datasetsError: null,
  setConnection: (connection, version) =>
    set({ connection, ...(version !== undefined ? { version } : {}) }),
  upsertExport: (e) => set({ exports: { ...get().exports, [e.id]: e } }),
  removeExport: (id) => {
    const next = { ...get().exports };
    delete next[id];
    set({ exports: next });
  },
  async loadExports() {
    try {
      const all: Record<string, Export> = {};
      let cursor: string | undefined;
      // Up to 10,000 exports, newest first, in pages of 200.
      for (let i = 0; i < 50; i++) {
        const page = await api.exports(cursor);
        for (const e of page.data) all[e.id] = e;
        if (!page.next) break;
        cursor = page.next;
      }
      set({ exports: all, exportsLoaded: true, exportsError: null });
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) set({ connection: 'signed-out' });
      set({ exportsLoaded: true, exportsError: describeError(err) });
    }
  },
  async loadDatasets() {
    try {
      set({ datasets: await api.datasets(), datasetsError: null });
    } catch (err) {
      set({ datasetsError: describeError(err) });
    }
  },
}));

/** Health polling for the indicator, and the SSE stream that keeps exports and datasets live. */
export function startLiveUpdates(): () => void {
  const { setConnection } = useStore.getState();
  let stopped = false;
  const checkHealth = async () => {
    try {
      const h = await api.health();
      if (useStore.getState().connection !== 'signed-out') setConnection('connected', h.version);
    } catch {
      setConnection('offline');
    }
  };
  void checkHealth();
  const timer = window.setInterval(() => void checkHealth(), 5000);

  const source = new EventSource('/v1/events');
  const onExport = (ev: MessageEvent<string>) =>
    useStore.getState().upsertExport(JSON.parse(ev.data) as Export);
  source.addEventListener('export.updated', onExport);
  source.addEventListener('export.deleted', (ev: MessageEvent<string>) =>
    useStore.getState().removeExport((JSON.parse(ev.data) as { id: string }).id),
  );
  source.addEventListener('dataset.updated', () => void useStore.getState().loadDatasets());
  source.addEventListener('dataset.deleted', () => void useStore.getState().loadDatasets());
  // After a reconnect, events may have been missed: reload the lists.
  source.onopen = () => {
    if (stopped) return;
    void useStore.getState().loadExports();
  };
  return () => {
    stopped = true;
    window.clearInterval(timer);
    source.close();
  };
}
