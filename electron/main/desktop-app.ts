// The Electron shell: one instance, one secure window on our own local server, engine in this process.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  screen,
  session,
  shell,
  type IpcMainEvent,
} from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultDataDir } from '../engine/data-dir.ts';
import { createLogger } from '../engine/logger.ts';
import { startServer, type RunningServer, type StartOptions } from '../server/serve.ts';
import { aboutPanelOptions, appMenuTemplate, type PackageMeta } from './app-identity.ts';
import { registerIpc } from './ipc.ts';
import { watchScheduledExports, type Notice } from './notifications.ts';
import { createSchedulePause } from './schedule-pause.ts';
import { createSafeStorageBox } from './secret-box.ts';
import { startFailureText } from './start-failure.ts';
import { createTeamEngine, type TeamEngine } from './team-engine.ts';
import { createAppTray, type AppTray } from './tray.ts';
import { keepInTrayOnClose, type TrayAction } from './tray-model.ts';
import { loadWindowState, placeWindow, saveWindowState } from './window-state.ts';
import { loadingPageUrl } from './loading-page.ts';
import {
  isOwnUrl,
  isRelayDownload,
  permissionDecision,
  secureWebPreferences,
  windowOpenDecision,
  withRelayInCsp,
} from './security.ts';

export interface DesktopAppOptions {
  /** The main bundle's folder (out/main): the preload and renderer bundles sit beside it. */
  readonly bundleDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  /** What tests narrow: a small demo dataset, a quiet logger. */
  readonly engine?: Pick<StartOptions, 'demoRows' | 'logger'>;
}

export interface DesktopApp {
  /** true once the window is open; false when this instance stepped aside, could not start or quit first. */
  readonly started: Promise<boolean>;
}

/** Our package.json (name export-manager), found by walking up from the bundle's folder. */
export function readPackageMeta(from: string): PackageMeta {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
        homepage?: string;
      };
      if (pkg.name === 'export-manager')
        return {
          version: pkg.version ?? '0.0.0',
          ...(pkg.homepage ? { homepage: pkg.homepage } : {}),
        };
    } catch {
      // No package.json here: keep walking up.
    }
    if (dirname(dir) === dir) return { version: '0.0.0' };
  }
}

function apiKeyFor(running: RunningServer, env: NodeJS.ProcessEnv): string {
  const src = running.engine.keys.keySource;
  if (src.kind === 'env') return env.EXPORT_MANAGER_API_KEY ?? '';
  return readFileSync(src.path, 'utf8').trim();
}

export function startDesktopApp(options: DesktopAppOptions): DesktopApp {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const here = options.bundleDir;
  const meta = readPackageMeta(here);
  const dataDir = env.EXPORT_MANAGER_DATA_DIR || defaultDataDir(env, platform);
  let server: RunningServer | null = null;
  let team: TeamEngine | null = null;
  let window: BrowserWindow | null = null;
  /** Our server's origin, once the engine is up (the window's guards allow only it). */
  let origin: string | null = null;
  let tray: AppTray | null = null;
  let quitting = false;
  /** Writes where the window is now; app.exit() closes windows without a 'close' event. */
  let rememberWindowNow = (): void => undefined;

  const liveWindow = () => (window && !window.isDestroyed() ? window : null);

  function showWindow(): void {
    const win = liveWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  /** The window, at once, on the starting page; `showApp` loads the app once the engine is up. */
  function createWindow(): BrowserWindow {
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
    const save = () => {
      if (win.isDestroyed() || win.isMinimized()) return;
      saveWindowState(dataDir, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
    };
    // Remembers where the window is, a moment after the user stops moving or resizing it.
    let saveTimer: NodeJS.Timeout | null = null;
    const remember = () => {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = setTimeout(save, 400);
    };
    rememberWindowNow = () => {
      if (saveTimer) clearTimeout(saveTimer);
      save();
    };
    for (const change of ['resize', 'move', 'maximize', 'unmaximize'] as const)
      win.on(change as 'resize', remember);
    win.on('close', (event) => {
      rememberWindowNow();
      // Schedules need the engine: the app stays in the tray instead of quitting.
      if (tray && keepInTrayOnClose(tray.state(), quitting)) {
        event.preventDefault();
        win.hide();
      }
    });
    // Until the engine is up there is no page of ours to go to: every navigation is refused.
    win.webContents.on('will-navigate', (event, url) => {
      if (!origin) return event.preventDefault();
      // On a team engine, a Download link goes through the relay to the team's presigned file.
      if (!isOwnUrl(url, origin) && !isRelayDownload(url, team?.relayOrigin() ?? null))
        event.preventDefault();
    });
    win.webContents.on('will-attach-webview', (event) => event.preventDefault());
    win.webContents.setWindowOpenHandler(({ url }) => {
      // Links to the web open in the user's browser, never in a new app window.
      if (!origin) return { action: 'deny' as const };
      const decision = windowOpenDecision(url, origin);
      if (decision.openExternally) void shell.openExternal(url);
      return { action: decision.action };
    });
    win.once('ready-to-show', () => win.show());
    void win.loadURL(loadingPageUrl(meta.version));
    return win;
  }

  function showApp(win: BrowserWindow, running: RunningServer): void {
    origin = new URL(running.url).origin;
    void win.loadURL(running.tokenUrl());
  }

  /** An OS notification; a click brings the window up on what it is about. */
  function notify(notice: Notice): void {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title: notice.title, body: notice.body });
    n.on('click', () => {
      const win = liveWindow();
      if (!win) return;
      showWindow();
      void win.webContents.executeJavaScript(
        `window.location.hash = ${JSON.stringify(notice.route)}`,
      );
    });
    n.show();
  }

  function quit(): void {
    quitting = true;
    app.quit();
  }

  function startTray(running: RunningServer): void {
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
      else quit();
    };
    tray = createAppTray({
      events: running.engine.ctx.events,
      initialExports: active,
      enabledSchedules: () => schedules.list().filter((s) => s.enabled).length,
      pause,
      onAction,
    });
  }

  function iconPath(): string | undefined {
    const resources = (process as { resourcesPath?: string }).resourcesPath;
    return [
      ...(app.isPackaged && resources ? [join(resources, 'icon.png')] : []),
      join(here, '../../electron/resources/icons/256x256.png'),
    ].find((p) => existsSync(p));
  }

  async function boot(): Promise<boolean> {
    const homepage = meta.homepage;
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        appMenuTemplate(platform, {
          about: () => app.showAboutPanel(),
          openDataFolder: () => void shell.openPath(dataDir),
          openWebsite: homepage ? () => void shell.openExternal(homepage) : null,
          quit,
        }),
      ),
    );
    // The starting page's preload asks for the API's address and key before there is an API.
    const noConfigYet = (event: IpcMainEvent) => void (event.returnValue = null);
    ipcMain.on('app:config', noConfigYet);
    window = createWindow();
    const secretBox = createSafeStorageBox();
    const running = await startServer({
      dataDir,
      host: '127.0.0.1',
      port: Number(env.EXPORT_MANAGER_PORT) || 0,
      envKey: env.EXPORT_MANAGER_API_KEY || undefined,
      ...(env.EXPORT_MANAGER_VENDOR_FILE_URLS === 'public'
        ? { vendorFileUrls: 'public' as const }
        : {}),
      version: meta.version,
      logger: createLogger('info'),
      staticDir: join(here, '../renderer'),
      shell: 'desktop app',
      // Provider credentials sealed by the OS keychain where it has one; else the engine's key file.
      ...(secretBox ? { secretBox } : {}),
      ...options.engine,
    });
    server = running;
    if (quitting) return false;
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
    ipcMain.off('app:config', noConfigYet);
    const appOrigin = new URL(running.url).origin;
    team = createTeamEngine({
      dataDir,
      box: secretBox,
      appOrigin,
      local: { apiBaseUrl: running.url, apiKey: apiKeyFor(running, env) },
    });
    await team.start();
    const teamNow = team;
    // While on a team engine, our pages may call the relay too (their CSP allows 'self' only).
    // Every response passes here (no URL filter: its patterns' port rules vary); only our pages'
    // headers change.
    session.defaultSession.webRequest.onHeadersReceived((details, callback) =>
      callback(
        isOwnUrl(details.url, appOrigin)
          ? {
              responseHeaders: withRelayInCsp(details.responseHeaders ?? {}, teamNow.relayOrigin()),
            }
          : {},
      ),
    );
    registerIpc(appOrigin, team);
    const win = liveWindow();
    if (win) showApp(win, running);
    else window = null;
    startTray(running);
    return true;
  }

  /** One dialog that says why, then exit: the engine (if it got that far) closes first. */
  async function failToStart(err: unknown): Promise<false> {
    const text = startFailureText(err, dataDir);
    console.error(`Export Manager could not start: ${text}`);
    tray?.destroy();
    tray = null;
    await team?.close().catch(() => undefined);
    team = null;
    const partial = server;
    server = null;
    if (partial) await partial.close().catch(() => undefined);
    dialog.showErrorBox('Export Manager could not start', text);
    app.exit(1);
    return false;
  }

  if (!app.requestSingleInstanceLock()) {
    // The running instance gets 'second-instance' and comes to the front.
    app.quit();
    return { started: Promise.resolve(false) };
  }
  app.setAboutPanelOptions(aboutPanelOptions(meta, iconPath()));
  app.on('second-instance', () => showWindow());
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app.on('window-all-closed', () => app.quit());
  let booting: Promise<boolean> | null = null;
  let closing: Promise<void> | null = null;
  app.on('before-quit', (event) => {
    quitting = true;
    // Before Electron is ready nothing of ours runs yet: let it quit.
    if (!booting) return;
    event.preventDefault();
    // Quit again while the engine closes (a second Cmd+Q, the last window closing): keep waiting.
    if (closing) return;
    rememberWindowNow();
    // A quit during boot (Cmd+Q while the first run builds its demo data) waits for the engine.
    closing = booting
      .then(async () => {
        const running = server;
        server = null;
        tray?.destroy();
        tray = null;
        await team?.close();
        team = null;
        await running?.close();
      })
      .then(
        () => app.exit(0),
        (err: unknown) => {
          console.error(`Export Manager did not close cleanly: ${(err as Error).message}`);
          app.exit(1);
        },
      );
  });
  const started = app.whenReady().then(() => {
    booting = boot().catch((err: unknown) => failToStart(err));
    return booting;
  });
  return { started };
}
