// The desktop app's main process (electron/main) run under Node against the fake `electron`
// module, with a real engine and server: boot, the window, one instance, failing to start, quitting.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../electron/server/serve.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { tempDir } from '../helpers/context.ts';
import { isLoadingPage } from '../../electron/main/loading-page.ts';
import { app, fake, FakeBrowserWindow, ipcMain } from './fake-electron.ts';
import {
  answers,
  boot,
  hasPidFile,
  launch,
  pidFile,
  pkg,
  root,
  shutDown,
  type Booted,
} from './desktop-harness.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

let dataDir: string | undefined;
let other: RunningServer | undefined;
afterEach(async () => {
  await shutDown(dataDir);
  await other?.close();
  other = undefined;
  dataDir = undefined;
});

async function booted(): Promise<Booted> {
  const b = await boot();
  dataDir = b.dataDir;
  return b;
}

describe('the desktop app boots', () => {
  it('starts the engine on a free loopback port and opens one secure window on it', async () => {
    const b = await booted();
    const url = new URL(b.window.webContents.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(url.port).not.toBe('8787');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('token')).toMatch(/.{16,}/);
    const health = await fetch(`${b.origin}/healthz`);
    expect(((await health.json()) as { data: unknown }).data).toEqual({
      status: 'ok',
      version: pkg.version,
      storage: { kind: 'local', ok: true },
      store: { kind: 'sqlite', ok: true },
    });
    expect((await b.api('/v1/exports')).status).toBe(200);
    expect((await fetch(`${b.origin}/v1/exports`)).status).toBe(401);

    expect(FakeBrowserWindow.getAllWindows()).toHaveLength(1);
    const prefs = b.window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(prefs.preload).toBe(join(root, 'electron/preload/index.cjs'));
    expect(b.window.options.show).toBe(false);
    await vi.waitFor(() => expect(b.window.isVisible()).toBe(true));

    const holder = JSON.parse(readFileSync(pidFile(b.dataDir), 'utf8')) as Record<string, unknown>;
    expect(holder).toMatchObject({ pid: process.pid, shell: 'desktop app' });
  });

  it('opens the window on the starting page at once, then loads the app into the same window', async () => {
    dataDir = tempDir('em-desktop-');
    const { started } = launch(dataDir);
    let engineUp = false;
    void started.then(() => (engineUp = true));
    app.becomeReady();
    await vi.waitFor(() => expect(FakeBrowserWindow.getAllWindows()).toHaveLength(1));
    const [win] = FakeBrowserWindow.getAllWindows();
    // The window exists before the engine has started, showing the starting page.
    expect(engineUp).toBe(false);
    expect(isLoadingPage(win!.webContents.url)).toBe(true);
    const page = decodeURIComponent(win!.webContents.url.split(',').slice(1).join(','));
    expect(page).toContain('Starting the export engine');
    expect(page).toContain(pkg.version);
    expect(page).toContain(`default-src 'none'`);
    // Nothing to navigate to or open while it starts.
    expect(win!.webContents.navigate('https://evil.example/')).toBe(false);
    expect(win!.webContents.windowOpen('https://docs.example.com/')).toBe('deny');
    expect(fake.opened.external).toEqual([]);
    // Its preload asks for the API's address and key: there is none yet.
    const frame = { url: win!.webContents.url, parent: null };
    expect(ipcMain.sendSync('app:config', frame)).toBeNull();

    expect(await started).toBe(true);
    expect(FakeBrowserWindow.getAllWindows()).toEqual([win]);
    const loads = win!.webContents.loads;
    expect(loads).toHaveLength(2);
    expect(isLoadingPage(loads[0]!)).toBe(true);
    const app1 = new URL(loads[1]!);
    expect(app1.hostname).toBe('127.0.0.1');
    expect(app1.searchParams.get('token')).toMatch(/.{16,}/);
    await vi.waitFor(() => expect(win!.isVisible()).toBe(true));
    // Shown once, for its first page: the starting page.
    expect(isLoadingPage(win!.firstShown)).toBe(true);
  });

  it('keeps the page on our own server: foreign navigation and new windows are refused', async () => {
    const b = await booted();
    const wc = b.window.webContents;
    expect(wc.navigate(`${b.origin}/#/schedules`)).toBe(true);
    expect(wc.navigate('https://evil.example/')).toBe(false);
    expect(wc.windowOpen('https://docs.example.com/')).toBe('deny');
    expect(fake.opened.external).toEqual(['https://docs.example.com/']);
    expect(wc.windowOpen(`${b.origin}/other`)).toBe('deny');
    expect(fake.opened.external).toHaveLength(1);
    const check = fake.permissionCheck as (wc: unknown, p: string) => boolean;
    expect(check(null, 'notifications')).toBe(false);
  });

  it('comes back where the user left the window', async () => {
    const b = await booted();
    b.window.setBounds({ x: 300, y: 200, width: 1100, height: 700 });
    app.quit();
    expect(await app.exited()).toBe(0);
    const again = await boot(b.dataDir);
    expect(again.window.options).toMatchObject({ x: 300, y: 200, width: 1100, height: 700 });
  });
});

describe('one instance', () => {
  it('a second launch steps aside before touching the data folder', async () => {
    dataDir = join(tempDir('em-desktop-'), 'data');
    const { started } = launch(dataDir, { otherInstanceRunning: true });
    app.becomeReady();
    expect(await started).toBe(false);
    expect(await app.exited()).toBe(0);
    expect(FakeBrowserWindow.getAllWindows()).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
    expect(fake.trays).toEqual([]);
  });

  it('the running one comes to the front when launched again, from the tray or minimised', async () => {
    const b = await booted();
    await vi.waitFor(() => expect(b.window.isVisible()).toBe(true));
    b.window.minimize();
    b.window.hide();
    app.launchSecondInstance(['export-manager', '--whatever']);
    expect(b.window.isVisible()).toBe(true);
    expect(b.window.isMinimized()).toBe(false);
    expect(b.window.isFocused()).toBe(true);
    expect(FakeBrowserWindow.getAllWindows()).toHaveLength(1);
  });
});

describe('when the app cannot start', () => {
  it('a data folder held by `export-manager serve`: one dialog naming it, exit 1, the other keeps it', async () => {
    dataDir = tempDir('em-desktop-');
    other = await startServer({
      dataDir,
      port: 0,
      staticDir: null,
      demoRows: 10,
      logger: silentLogger,
      shell: 'serve',
    });
    const { started } = launch(dataDir);
    app.becomeReady();
    expect(await started).toBe(false);
    expect(await app.exited()).toBe(1);
    expect(fake.errorBoxes).toHaveLength(1);
    const box = fake.errorBoxes[0]!;
    expect(box.title).toBe('Export Manager could not start');
    expect(box.content).toContain(`The data folder ${dataDir} is in use by`);
    expect(box.content).toContain('`export-manager serve`');
    expect(box.content).toContain(`pid ${process.pid}`);
    expect(FakeBrowserWindow.getAllWindows()).toEqual([]);
    // The holder is untouched: its pid file and its server are still there.
    expect(JSON.parse(readFileSync(pidFile(dataDir), 'utf8'))).toMatchObject({ shell: 'serve' });
    expect(await answers(other.url)).toBe(true);
  });

  it('a failure after the engine started closes the engine before exiting', async () => {
    dataDir = tempDir('em-desktop-');
    const { started } = launch(dataDir);
    fake.displays = null;
    app.becomeReady();
    expect(await started).toBe(false);
    expect(await app.exited()).toBe(1);
    expect(fake.errorBoxes[0]!.content).toMatch(/no display server[\s\S]*Data folder: /);
    expect(hasPidFile(dataDir)).toBe(false);
    // The folder is free again: the next start takes it.
    const b = await boot(dataDir);
    expect(b.window.webContents.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  });
});

describe('quitting', () => {
  it('Quit closes the engine: pid file gone, port closed, tray removed, exit 0', async () => {
    const b = await booted();
    expect(hasPidFile(b.dataDir)).toBe(true);
    app.quit();
    expect(await app.exited()).toBe(0);
    expect(hasPidFile(b.dataDir)).toBe(false);
    expect(await answers(b.origin)).toBe(false);
    expect(fake.trays[0]!.isDestroyed()).toBe(true);
  });

  it('closing the window quits when no schedule needs the engine', async () => {
    const b = await booted();
    b.window.close();
    expect(await app.exited()).toBe(0);
    expect(hasPidFile(b.dataDir)).toBe(false);
  });

  it('a quit while the engine starts waits for it, then closes it without loading the app', async () => {
    dataDir = tempDir('em-desktop-');
    const { started } = launch(dataDir);
    app.becomeReady();
    await Promise.resolve();
    const opened = FakeBrowserWindow.getAllWindows();
    app.quit();
    expect(app.exitCode).toBeNull();
    expect(await app.exited()).toBe(0);
    expect(await started).toBe(false);
    expect(hasPidFile(dataDir)).toBe(false);
    expect(FakeBrowserWindow.getAllWindows()).toEqual([]);
    // Only the starting page was ever in the window.
    for (const w of opened) expect(w.webContents.loads.every(isLoadingPage)).toBe(true);
    expect(fake.trays).toEqual([]);
  });

  it('a quit before Electron is ready just quits', async () => {
    dataDir = join(tempDir('em-desktop-'), 'data');
    launch(dataDir);
    app.quit();
    expect(await app.exited()).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a second quit while the engine closes does not close it twice', async () => {
    const b = await booted();
    app.quit();
    app.quit();
    app.launchSecondInstance();
    expect(await app.exited()).toBe(0);
    expect(hasPidFile(b.dataDir)).toBe(false);
  });
});
