// Starts the desktop app's main process against the fake `electron` module (the test file mocks
// 'electron' with fake-electron.ts) with a real engine and server in a temp data folder.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, vi } from 'vitest';
import { silentLogger } from '../../electron/engine/logger.ts';
import { startDesktopApp } from '../../electron/main/desktop-app.ts';
import { tempDir } from '../helpers/context.ts';
import { app, FakeBrowserWindow, ipcMain, resetFakeElectron } from './fake-electron.ts';

export const root = resolve(import.meta.dirname, '../..');
export const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  productName?: string;
  homepage?: string;
};

export interface Booted {
  readonly dataDir: string;
  readonly window: FakeBrowserWindow;
  /** http://127.0.0.1:PORT of the embedded server. */
  readonly origin: string;
  /** The app window's top frame, as IPC sees it. */
  readonly frame: { url: string; parent: null };
  readonly apiKey: string;
  api(path: string, init?: RequestInit): Promise<Response>;
}

/** A fresh fake process with the desktop app started in it (not yet ready: call app.becomeReady). */
export function launch(
  dataDir: string,
  opts: { platform?: NodeJS.Platform; otherInstanceRunning?: boolean } = {},
) {
  resetFakeElectron();
  app.otherInstanceHoldsLock = opts.otherInstanceRunning === true;
  const platform = opts.platform;
  return startDesktopApp({
    bundleDir: join(root, 'electron/main'),
    env: { EXPORT_MANAGER_DATA_DIR: dataDir },
    ...(platform ? { platform } : {}),
    engine: { demoRows: 200, logger: silentLogger },
  });
}

/** Launches, makes Electron ready, waits for the window, and reads what the page would be given. */
export async function boot(
  dataDir = tempDir('em-desktop-'),
  platform?: NodeJS.Platform,
  /** Runs in the fresh fake process before Electron is ready (e.g. no keychain on this machine). */
  setUp?: () => void,
): Promise<Booted> {
  const started = launch(dataDir, platform ? { platform } : {}).started;
  setUp?.();
  app.becomeReady();
  expect(await started).toBe(true);
  const [window] = FakeBrowserWindow.getAllWindows();
  expect(window).toBeDefined();
  const origin = new URL(window!.webContents.url).origin;
  const frame = { url: `${origin}/`, parent: null };
  const config = ipcMain.sendSync('app:config', frame) as { apiKey: string; apiBaseUrl: string };
  return {
    dataDir,
    window: window!,
    origin,
    frame,
    apiKey: config.apiKey,
    api: (path, init) =>
      fetch(`${origin}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${config.apiKey}`,
          ...(init?.body ? { 'content-type': 'application/json' } : {}),
          ...(init?.headers as Record<string, string> | undefined),
        },
      }),
  };
}

/** Quits the app if a test left it running, then removes its data folder. */
export async function shutDown(dataDir: string | undefined): Promise<void> {
  if (app.exitCode === null && app.hasLock) {
    app.quit();
    await app.exited();
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/** Polls (running `poll` before each look) until check() holds, for up to 10 s. */
export async function until(
  check: () => boolean,
  what: string,
  poll: () => Promise<void> = async () => undefined,
): Promise<void> {
  await vi.waitFor(
    async () => {
      await poll();
      expect(check(), what).toBe(true);
    },
    { timeout: 10_000, interval: 25 },
  );
}

/** Whether anything still listens on the origin's port. */
export async function answers(origin: string): Promise<boolean> {
  try {
    await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

export const pidFile = (dataDir: string) => join(dataDir, 'engine.pid');
export const hasPidFile = (dataDir: string) => existsSync(pidFile(dataDir));
