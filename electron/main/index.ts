// The Electron shell: one instance, one secure window on our own local server, engine in this process.
import { app, BrowserWindow, Notification, screen, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from '../engine/data-dir.ts';
import { createLogger } from '../engine/logger.ts';
import { packageVersion, startServer, type RunningServer } from '../server/serve.ts';
import { registerIpc } from './ipc.ts';
import { watchScheduledExports, type Notice } from './notifications.ts';
import { createSchedulePause } from './schedule-pause.ts';
import { createSafeStorageBox } from './secret-box.ts';
import { createAppTray, type AppTray } from './tray.ts';
import { keepInTrayOnClose, type TrayAction } from './tray-model.ts';
import { loadWindowState, placeWindow, saveWindowState } from './window-state.ts';
import {
  isOwnUrl,
  permissionDecision,
  secureWebPreferences,
  windowOpenDecision,
} from './security.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
let server: RunningServer | null = null;
let window: BrowserWindow | null = null;
let tray: AppTray | null = null;
let quitting = false;

function apiKeyFor(running: RunningServer): string {
  const src = running.engine.keys.keySource;
  if (src.kind === 'env') return process.env.EXPORT_MANAGER_API_KEY ?? '';
  return readFileSync(src.path, 'utf8').trim();
}

function createWindow(running: RunningServer, dataDir: string): BrowserWindow {
  const place = placeWindow(
    loadWindowState(dataDir),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(place.x !== undefined && place.y !== undefined ? { x: place.x, y: place.y } : {}),
    width: place.width,
    height: place.height,
    minWidth: 960,
    minHeight: 600,
    title: 'Export Manager',
    show: false,
    webPreferences: secureWebPreferences(join(here, '../preload/index.cjs')),
  });
  if (place.maximized) win.maximize();
  // Remembers where the window is, a moment after the user stops moving or resizing it.
  let saveTimer: NodeJS.Timeout | null = null;
  const remember = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (win.isDestroyed() || win.isMinimized()) return;
      saveWindowState(dataDir, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
    }, 400);
  };
  win.on('resize', remember);
  win.on('move', remember);
  win.on('maximize', remember);
  win.on('unmaximize', remember);
  win.on('close', (event) => {
    if (!win.isMinimized())
      saveWindowState(dataDir, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
    // Schedules need the engine: the app stays in the tray instead of quitting.
    if (tray && keepInTrayOnClose(tray.state(), quitting)) {
      event.preventDefault();
      win.hide();
    }
  });
  const origin = new URL(running.url).origin;
  win.webContents.on('will-navigate', (event, url) => {
    if (!isOwnUrl(url, origin)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to the web open in the user's browser, never in a new app window.
    const decision = windowOpenDecision(url, origin);
    if (decision.openExternally) void shell.openExternal(url);
    return { action: decision.action };
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(running.tokenUrl());
  return win;
}

function secretBoxOption() {
  const box = createSafeStorageBox();
  return box ? { secretBox: box } : {};
}

function showWindow(): void {
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/** An OS notification; a click brings the window up on what it is about. */
function notify(notice: Notice): void {
  if (!Notification.isSupported()) return;
  const n = new Notification({ title: notice.title, body: notice.body });
  n.on('click', () => {
    if (!window) return;
    showWindow();
    void window.webContents.executeJavaScript(
      `window.location.hash = ${JSON.stringify(notice.route)}`,
    );
  });
  n.show();
}

function startTray(running: RunningServer, dataDir: string): void {
  const schedules = running.engine.schedules;
  const pause = createSchedulePause(schedules, dataDir);
  const active = [
    ...running.engine.exports.list({ status: 'processing', limit: 1000 }).items,
    ...running.engine.exports.list({ status: 'pending', limit: 1000 }).items,
  ];
  const onAction = (action: TrayAction) => {
    if (action === 'show') showWindow();
    else if (action === 'pause-schedules') pause.pauseAll();
    else if (action === 'resume-schedules') pause.resumeAll();
    else {
      quitting = true;
      app.quit();
    }
  };
  tray = createAppTray({
    events: running.engine.ctx.events,
    initialExports: active,
    enabledSchedules: () => schedules.list().filter((s) => s.enabled).length,
    pause,
    onAction,
  });
}

async function boot(): Promise<void> {
  const dataDir = process.env.EXPORT_MANAGER_DATA_DIR || defaultDataDir();
  const running = await startServer({
    dataDir,
    host: '127.0.0.1',
    port: Number(process.env.EXPORT_MANAGER_PORT) || 0,
    envKey: process.env.EXPORT_MANAGER_API_KEY || undefined,
    ...(process.env.EXPORT_MANAGER_VENDOR_FILE_URLS === 'public'
      ? { vendorFileUrls: 'public' as const }
      : {}),
    version: packageVersion(),
    logger: createLogger('info'),
    staticDir: join(here, '../renderer'),
    shell: 'desktop app',
    // Provider credentials sealed by the OS keychain where it has one; else the engine's key file.
    ...secretBoxOption(),
  });
  server = running;
  watchScheduledExports(
    running.engine.ctx.events,
    () => running.engine.settings.get().notifications,
    notify,
  );
  // No web permission (camera, notifications, geolocation...) is ever granted to the page.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permissionDecision(permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission) =>
    permissionDecision(permission),
  );
  registerIpc(new URL(running.url).origin, { apiBaseUrl: running.url, apiKey: apiKeyFor(running) });
  window = createWindow(running, dataDir);
  startTray(running, dataDir);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    showWindow();
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app
    .whenReady()
    .then(boot)
    .catch((err: unknown) => {
      // One line, e.g. the data folder held by `export-manager serve` (pid, since when).
      console.error(`Export Manager could not start: ${(err as Error).message ?? String(err)}`);
      app.exit(1);
    });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    quitting = true;
    if (!server) return;
    event.preventDefault();
    const closing = server;
    server = null;
    tray?.destroy();
    tray = null;
    void closing.close().finally(() => app.exit(0));
  });
}
