// A small stand-in for the `electron` module (the binary cannot run here), injected with
// vi.mock('electron', () => import('./fake-electron.ts')) so electron/main and electron/preload run
// under Node. It behaves as Electron does where our code depends on it (see fake-electron-app.ts
// for quitting and windows): a second IPC handler for a channel throws, IPC arguments are
// structured-cloned, menus reject items Electron rejects, a destroyed tray throws on use, the
// keychain really changes what it seals, openPath answers an error string for a missing path.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import {
  app,
  destroyedError,
  FakeBrowserWindow,
  FakeEvent,
  type Frame,
} from './fake-electron-app.ts';

export { app, FakeBrowserWindow, FakeBrowserWindow as BrowserWindow, FakeEvent };

const state = {
  errorBoxes: [] as { title: string; content: string }[],
  openDialogResults: [] as { canceled: boolean; filePaths: string[] }[],
  saveDialogResults: [] as { canceled: boolean; filePath?: string }[],
  dialogCalls: [] as { kind: string; parent: FakeBrowserWindow | null; options: unknown }[],
  opened: { external: [] as string[], paths: [] as string[], shownItems: [] as string[] },
  notificationsSupported: true,
  /** Times the app asked whether notifications work and was told no. */
  notificationsRefused: 0,
  notifications: [] as FakeNotification[],
  applicationMenu: null as FakeMenu | null,
  trays: [] as FakeTray[],
  displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] as
    { workArea: { x: number; y: number; width: number; height: number } }[] | null,
  permissionRequest: null as unknown,
  permissionCheck: null as unknown,
  /** session.webRequest.onHeadersReceived: the listener the app registered (for every URL). */
  headersReceived: null as null | {
    listener: (
      details: { url: string; responseHeaders?: Record<string, string[]> },
      callback: (r: { responseHeaders?: Record<string, string[]> }) => void,
    ) => void;
  },
  clipboardText: '',
  keychain: 'gnome_libsecret' as string | null,
  exposed: {} as Record<string, unknown>,
  /** The frame the preload runs in: the app window's page, or a foreign one. */
  rendererFrame: null as Frame | null,
};
export const fake = state;
const initial = structuredClone(state);

/** A new process: every window, handler, listener and record of the previous test is gone. */
export function resetFakeElectron(): void {
  app.resetProcess();
  ipcMain.removeAllListeners();
  ipcMain.handlers.clear();
  Object.assign(state, structuredClone(initial));
  nativeTheme.themeSource = 'system';
}

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  handle(channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  /** ipcRenderer.invoke from a frame of a window: arguments cross as structured clones. */
  async invoke(channel: string, frame: Frame | null, ...args: unknown[]): Promise<unknown> {
    const fn = this.handlers.get(channel);
    if (!fn) throw new Error(`No handler registered for '${channel}'`);
    const sender = FakeBrowserWindow.getAllWindows()[0]?.webContents ?? null;
    return fn({ sender, senderFrame: frame }, ...structuredClone(args));
  }
  /** ipcRenderer.sendSync: the listener's event.returnValue. */
  sendSync(channel: string, frame: Frame | null, ...args: unknown[]): unknown {
    const event = new FakeEvent() as FakeEvent & { senderFrame: Frame | null; sender: unknown };
    event.senderFrame = frame;
    event.sender = FakeBrowserWindow.getAllWindows()[0]?.webContents ?? null;
    this.emit(channel, event, ...structuredClone(args));
    return event.returnValue;
  }
}
export const ipcMain = new FakeIpcMain();

export const ipcRenderer = {
  invoke: (channel: string, ...args: unknown[]) =>
    ipcMain.invoke(channel, state.rendererFrame, ...args),
  sendSync: (channel: string, ...args: unknown[]) =>
    ipcMain.sendSync(channel, state.rendererFrame, ...args),
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown) {
    if (key in state.exposed) throw new Error(`Cannot bind an API on top of an existing property`);
    state.exposed[key] = api;
  },
};

function dialogArgs(a: unknown, b: unknown): [FakeBrowserWindow | null, unknown] {
  return a instanceof FakeBrowserWindow ? [a, b] : [null, a];
}

export const dialog = {
  showOpenDialog(a: unknown, b?: unknown) {
    const [parent, options] = dialogArgs(a, b);
    state.dialogCalls.push({ kind: 'open', parent, options: structuredClone(options) });
    return Promise.resolve(state.openDialogResults.shift() ?? { canceled: true, filePaths: [] });
  },
  showSaveDialog(a: unknown, b?: unknown) {
    const [parent, options] = dialogArgs(a, b);
    state.dialogCalls.push({ kind: 'save', parent, options: structuredClone(options) });
    return Promise.resolve(state.saveDialogResults.shift() ?? { canceled: true });
  },
  showErrorBox(title: string, content: string) {
    if (typeof title !== 'string' || typeof content !== 'string')
      throw new TypeError('Insufficient number of arguments.');
    state.errorBoxes.push({ title, content });
  },
};

export const shell = {
  openExternal(url: string) {
    state.opened.external.push(url);
    return Promise.resolve();
  },
  /** Electron answers an error string, '' on success. */
  openPath(path: string) {
    state.opened.paths.push(path);
    return Promise.resolve(existsSync(path) ? '' : `Failed to open path`);
  },
  showItemInFolder(path: string) {
    state.opened.shownItems.push(path);
  },
};

export class FakeNotification extends EventEmitter {
  static isSupported() {
    if (!state.notificationsSupported) state.notificationsRefused++;
    return state.notificationsSupported;
  }
  shown = false;
  readonly options: { title: string; body: string };
  constructor(options: { title: string; body: string }) {
    super();
    this.options = options;
  }
  show() {
    this.shown = true;
    state.notifications.push(this);
  }
}
export { FakeNotification as Notification };

interface TemplateItem {
  label?: string;
  role?: string;
  type?: string;
  enabled?: boolean;
  click?: (...args: unknown[]) => void;
  submenu?: TemplateItem[] | FakeMenu;
}

export class FakeMenu {
  readonly items: TemplateItem[];
  constructor(items: TemplateItem[]) {
    this.items = items;
  }
  static buildFromTemplate(template: TemplateItem[]) {
    for (const item of template) {
      if (!item.label && !item.role && !item.type)
        throw new TypeError(
          'Invalid template for MenuItem: must have at least one of label, role or type',
        );
      if (Array.isArray(item.submenu)) FakeMenu.buildFromTemplate(item.submenu);
    }
    return new FakeMenu(template);
  }
  static setApplicationMenu(menu: FakeMenu | null) {
    state.applicationMenu = menu;
  }
  /** Every item, submenus included, depth first. */
  flat(): TemplateItem[] {
    return this.items.flatMap((i) => [
      i,
      ...(i.submenu
        ? (i.submenu instanceof FakeMenu ? i.submenu : new FakeMenu(i.submenu)).flat()
        : []),
    ]);
  }
  /** Clicks the item with that label, as Electron does: only when enabled. */
  click(label: string): void {
    const item = this.flat().find((i) => i.label === label);
    if (!item) throw new Error(`no menu item "${label}" in ${this.flat().map((i) => i.label)}`);
    if (item.enabled !== false)
      item.click?.(item, FakeBrowserWindow.getAllWindows()[0] ?? null, {});
  }
}
export { FakeMenu as Menu };

export class FakeTray extends EventEmitter {
  image: FakeImage;
  toolTip = '';
  title = '';
  menu: FakeMenu | null = null;
  private destroyed = false;
  constructor(image: FakeImage) {
    super();
    this.image = image;
    state.trays.push(this);
  }
  private alive() {
    if (this.destroyed) throw destroyedError();
  }
  setImage(image: FakeImage) {
    this.alive();
    this.image = image;
  }
  setToolTip(text: string) {
    this.alive();
    this.toolTip = text;
  }
  setTitle(text: string) {
    this.alive();
    this.title = text;
  }
  setContextMenu(menu: FakeMenu) {
    this.alive();
    this.menu = menu;
  }
  destroy() {
    this.destroyed = true;
  }
  isDestroyed() {
    return this.destroyed;
  }
}
export { FakeTray as Tray };

export class FakeImage {
  readonly bitmap: Buffer;
  readonly size: { width: number; height: number };
  constructor(bitmap: Buffer, size: { width: number; height: number }) {
    this.bitmap = bitmap;
    this.size = size;
  }
  resize(size: { width: number; height: number }) {
    return new FakeImage(this.bitmap, size);
  }
}

export const nativeImage = {
  createFromBitmap(buffer: Buffer, o: { width: number; height: number }) {
    if (buffer.length !== o.width * o.height * 4) throw new Error('Invalid buffer size');
    return new FakeImage(buffer, { width: o.width, height: o.height });
  },
};

export const screen = {
  getAllDisplays() {
    if (!state.displays) throw new Error('screen: no display server');
    return state.displays;
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(fn: unknown) {
      state.permissionRequest = fn;
    },
    setPermissionCheckHandler(fn: unknown) {
      state.permissionCheck = fn;
    },
    webRequest: {
      onHeadersReceived(listener: NonNullable<typeof state.headersReceived>['listener']) {
        state.headersReceived = { listener };
      },
    },
  },
};

export const clipboard = {
  writeText(text: string) {
    state.clipboardText = text;
  },
};

export const nativeTheme = { themeSource: 'system' as string };

/** A keychain that really seals: what it returns is not the plain text. */
export const safeStorage = {
  isEncryptionAvailable: () => state.keychain !== null,
  getSelectedStorageBackend: () => state.keychain ?? 'unknown',
  encryptString(plain: string) {
    if (state.keychain === null) throw new Error('Encryption is not available.');
    return Buffer.from(`sealed:${Buffer.from(plain).toString('base64')}`).map((b) => b ^ 0x5a);
  },
  decryptString(sealed: Buffer) {
    const text = Buffer.from(sealed.map((b) => b ^ 0x5a)).toString();
    if (!text.startsWith('sealed:'))
      throw new Error(
        'Error while decrypting the ciphertext provided to safeStorage.decryptString.',
      );
    return Buffer.from(text.slice('sealed:'.length), 'base64').toString();
  },
};
