// Each provider's health as this app has seen it: the last connection test (when, its result, the
// vendor's own words) and the last time one succeeded. Kept in the browser, so a result stays
// when you leave the screen or reload.
import { create } from 'zustand';
import type { ProviderTestResult } from '../../shared/schemas/providers.ts';

export interface ProviderHealth {
  readonly testedAt: string;
  readonly ok: boolean;
  readonly message: string;
  readonly status: number | null;
  readonly latencyMs: number;
  /** The last test that succeeded; null if none has. */
  readonly lastOkAt: string | null;
}

const KEY = 'export-manager.provider-health';

/** The health after one more test. */
export function afterTest(
  before: ProviderHealth | undefined,
  result: ProviderTestResult,
  at: string,
): ProviderHealth {
  return {
    testedAt: at,
    ok: result.ok,
    message: result.message,
    status: result.status,
    latencyMs: result.latency_ms,
    lastOkAt: result.ok ? at : (before?.lastOkAt ?? null),
  };
}

function load(): Record<string, ProviderHealth> {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return typeof v === 'object' && v !== null ? (v as Record<string, ProviderHealth>) : {};
  } catch {
    return {};
  }
}

interface HealthState {
  readonly byId: Readonly<Record<string, ProviderHealth>>;
  record(id: string, result: ProviderTestResult): ProviderHealth;
  forget(id: string): void;
}

function save(byId: Record<string, ProviderHealth>): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(byId));
  } catch {
    // Storage unavailable: the health lasts for this page only.
  }
}

export const useProviderHealth = create<HealthState>((set, get) => ({
  byId: load(),
  record(id, result) {
    const health = afterTest(get().byId[id], result, new Date().toISOString());
    const byId = { ...get().byId, [id]: health };
    save(byId);
    set({ byId });
    return health;
  },
  forget(id) {
    const { [id]: _gone, ...byId } = get().byId;
    save(byId);
    set({ byId });
  },
}));
