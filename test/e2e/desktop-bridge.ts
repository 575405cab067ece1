// The desktop shell's part of the team engine setting, for browser tests: the real main-process
// code (electron/main/team-engine.ts: settings, Test connection, the relay) runs in this test
// process, and the page gets the preload's bridge through exposeBinding instead of Electron's IPC.
// Main also adds the relay to the page's CSP connect-src (session.webRequest); a page answered by
// Playwright's route.fulfill loses its loopback address space (Chromium then refuses its calls to
// 127.0.0.1), so tests using this open the context with `bypassCSP` instead. The IPC wiring and
// the CSP rewrite themselves are tested in test/electron/team-engine.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { AppConfig, TeamEngineForm } from '../../shared/ipc.ts';
import { createTeamEngine, type TeamEngine } from '../../electron/main/team-engine.ts';
import type { Served } from './serve-fixture.ts';

export interface DesktopShell {
  readonly team: TeamEngine;
  close(): Promise<void>;
}

/** Makes `page` the desktop window of `served` (this computer's engine). Call before page.goto. */
export async function asDesktopWindow(page: Page, served: Served): Promise<DesktopShell> {
  const dir = mkdtempSync(join(tmpdir(), 'em-e2e-shell-'));
  const appOrigin = new URL(served.url).origin;
  const team = createTeamEngine({
    dataDir: dir,
    box: null,
    appOrigin,
    local: { apiBaseUrl: served.url, apiKey: served.key },
  });
  await team.start();

  // What the preload does at each load: ask main for the config, expose the bridge.
  const install = (config: AppConfig) =>
    page.addInitScript((c: AppConfig) => {
      const w = window as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      (window as unknown as { exportManager: unknown }).exportManager = {
        platform: 'desktop',
        apiBaseUrl: c.apiBaseUrl,
        apiKey: c.apiKey,
        engine: c.engine,
        openFile: () => Promise.resolve(null),
        chooseFolder: () => Promise.resolve(null),
        saveFile: () => Promise.resolve(null),
        showItemInFolder: () => Promise.resolve(false),
        openFolder: () => Promise.resolve(false),
        copyText: (t: string) => navigator.clipboard.writeText(t),
        setTheme: () => Promise.resolve(),
        teamEngine: () => w.__teamGet!(),
        testTeamEngine: (f: unknown) => w.__teamTest!(f),
        connectTeamEngine: (f: unknown) => w.__teamConnect!(f),
        useLocalEngine: () => w.__teamDisconnect!(),
      };
    }, config);
  // Later init scripts run after earlier ones: the newest config wins at the next load.
  await install(team.config());
  await page.exposeBinding('__teamGet', () => team.view());
  await page.exposeBinding('__teamTest', (_s, f: TeamEngineForm) => team.test(f));
  await page.exposeBinding('__teamConnect', async (_s, f: TeamEngineForm) => {
    const r = await team.connect(f);
    await install(team.config());
    return r;
  });
  await page.exposeBinding('__teamDisconnect', async () => {
    await team.disconnect();
    await install(team.config());
  });
  return {
    team,
    async close() {
      await team.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
