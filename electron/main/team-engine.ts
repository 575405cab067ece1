// Which engine the window uses: this computer's (embedded) or a team's, through the relay. The
// embedded engine keeps running either way: the window's page and sign-in come from it, local
// tools and scripts keep their API, and its schedules, tray and notifications carry on.
import type {
  AppConfig,
  TeamEngineForm,
  TeamEngineView,
  TeamTestResult,
} from '../../shared/ipc.ts';
import type { SealingBox } from './secret-box.ts';
import { testTeamEngine } from './team-check.ts';
import { startTeamRelay, type TeamRelay } from './team-relay.ts';
import {
  checkTeamKey,
  loadTeamSettings,
  parseTeamUrl,
  saveTeamSettings,
  teamBase,
  type TeamSettings,
} from './team-settings.ts';

export interface TeamEngineOptions {
  readonly dataDir: string;
  readonly box: SealingBox | null;
  /** The window's origin (the embedded server's): the relay answers it only. */
  readonly appOrigin: string;
  /** What the page gets while on this computer's engine. */
  readonly local: { apiBaseUrl: string; apiKey: string };
  readonly checkTimeoutMs?: number;
}

export interface TeamEngine {
  /** Starts the relay when the saved choice is a team engine (reachable or not: the page says). */
  start(): Promise<void>;
  config(): AppConfig;
  /** The relay's origin while connected to a team engine (the page's CSP must allow it). */
  relayOrigin(): string | null;
  view(): TeamEngineView;
  test(form: TeamEngineForm): Promise<TeamTestResult>;
  /** Tests, and only when the engine answers with the key accepted, switches and saves. */
  connect(form: TeamEngineForm): Promise<TeamTestResult>;
  /** Back to this computer's engine; URL and key stay saved for the next "Connect". */
  disconnect(): Promise<void>;
  close(): Promise<void>;
}

export function createTeamEngine(opts: TeamEngineOptions): TeamEngine {
  let saved: TeamSettings = loadTeamSettings(opts.dataDir, opts.box);
  let relay: TeamRelay | null = null;

  /** The key typed, or the saved one when the field was left empty for the same URL. */
  const keyFor = (form: TeamEngineForm): string => {
    if (form.apiKey.trim() || !saved.apiKey) return form.apiKey;
    try {
      return teamBase(parseTeamUrl(form.url)) === saved.url ? saved.apiKey : form.apiKey;
    } catch {
      return form.apiKey;
    }
  };

  async function openRelay(url: string, apiKey: string): Promise<void> {
    const next = await startTeamRelay({ target: url, apiKey, appOrigin: opts.appOrigin });
    const old = relay;
    relay = next;
    await old?.close();
  }

  return {
    async start() {
      if (saved.connected && saved.url && saved.apiKey) await openRelay(saved.url, saved.apiKey);
    },
    config() {
      if (!relay || !saved.url) return { ...opts.local, engine: { kind: 'local' } };
      return {
        apiBaseUrl: relay.url,
        apiKey: relay.token,
        engine: { kind: 'team', url: saved.url, host: new URL(saved.url).host },
      };
    },
    relayOrigin: () => relay?.url ?? null,
    view: () => ({
      url: saved.url,
      hasKey: saved.apiKey !== null,
      connected: relay !== null,
      keyStorage: opts.box ? 'keychain' : 'file',
    }),
    test: (form) => testTeamEngine(form.url, keyFor(form), opts.checkTimeoutMs),
    async connect(form) {
      const key = keyFor(form);
      const result = await testTeamEngine(form.url, key, opts.checkTimeoutMs);
      if (result.kind !== 'reachable') return result;
      const url = teamBase(parseTeamUrl(form.url));
      await openRelay(url, checkTeamKey(key));
      saved = { url, apiKey: checkTeamKey(key), connected: true };
      saveTeamSettings(opts.dataDir, opts.box, saved);
      return result;
    },
    async disconnect() {
      const old = relay;
      relay = null;
      saved = { ...saved, connected: false };
      saveTeamSettings(opts.dataDir, opts.box, saved);
      await old?.close();
    },
    async close() {
      const old = relay;
      relay = null;
      await old?.close();
    },
  };
}
