// The fake `electron` module's app and windows (see fake-electron.ts): quit asks before-quit and
// every window's close (either may refuse), exit skips both, destroyed windows throw on use.
import { EventEmitter } from 'node:events';

export class FakeEvent {
  defaultPrevented = false;
  returnValue: unknown = undefined;
  preventDefault() {
    this.defaultPrevented = true;
  }
}

export const destroyedError = () => new TypeError('Object has been destroyed');

export interface Frame {
  readonly url: string;
  readonly parent: unknown;
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  ready = false;
  /** Another process of the app is running and holds the single-instance lock. */
  otherInstanceHoldsLock = false;
  hasLock = false;
  exitCode: number | null = null;
  aboutOptions: Record<string, unknown> | null = null;
  aboutShown = 0;
  quitRequests = 0;
  private readyWaiters: (() => void)[] = [];
  private exitWaiters: ((code: number) => void)[] = [];

  /** A new process: listeners and records of the previous test are gone. */
  resetProcess(): void {
    this.removeAllListeners();
    for (const w of FakeBrowserWindow.getAllWindows()) w.destroy();
    Object.assign(this, {
      isPackaged: false,
      ready: false,
      otherInstanceHoldsLock: false,
      hasLock: false,
      exitCode: null,
      aboutOptions: null,
      aboutShown: 0,
      quitRequests: 0,
      readyWaiters: [],
      exitWaiters: [],
    });
  }
  requestSingleInstanceLock(): boolean {
    if (this.otherInstanceHoldsLock) return false;
    this.hasLock = true;
    return true;
  }
  /** What a second launch does: the lock holder is told, with the new process's argv. */
  launchSecondInstance(argv: string[] = ['export-manager']): void {
    if (this.hasLock) this.emit('second-instance', new FakeEvent(), argv, process.cwd(), {});
  }
  /** Electron finished starting: 'ready', and whenReady() resolves. */
  becomeReady(): void {
    // A process that has exited never becomes ready.
    if (this.ready || this.exitCode !== null) return;
    this.ready = true;
    this.emit('ready');
    for (const w of this.readyWaiters.splice(0)) w();
  }
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }
  /** Resolves with the exit code once the app has exited (a quit that completed, or exit()). */
  exited(): Promise<number> {
    if (this.exitCode !== null) return Promise.resolve(this.exitCode);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }
  quit(): void {
    this.quitRequests++;
    if (this.exitCode !== null) return;
    const before = new FakeEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    for (const w of FakeBrowserWindow.getAllWindows()) {
      w.close();
      if (!w.isDestroyed()) return;
    }
    const will = new FakeEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    this.emit('quit', new FakeEvent(), 0);
    this.exit(0);
  }
  /** Exits at once: no before-quit, no close events, windows destroyed. */
  exit(code = 0): void {
    if (this.exitCode !== null) return;
    this.exitCode = code;
    for (const w of FakeBrowserWindow.getAllWindows()) w.destroy();
    for (const cb of this.exitWaiters.splice(0)) cb(code);
  }
  setAboutPanelOptions(options: Record<string, unknown>): void {
    this.aboutOptions = structuredClone(options);
  }
  showAboutPanel(): void {
    this.aboutShown++;
  }
  getName(): string {
    return 'Export Manager';
  }
}
export const app = new FakeApp();

export class FakeWebContents extends EventEmitter {
  url = '';
  /** Every URL loaded into the window, in order. */
  readonly loads: string[] = [];
  executed: string[] = [];
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly owner: FakeBrowserWindow;
  constructor(owner: FakeBrowserWindow) {
    super();
    this.owner = owner;
  }
  get mainFrame(): Frame {
    return { url: this.url, parent: null };
  }
  setWindowOpenHandler(fn: (details: { url: string }) => { action: string }) {
    this.openHandler = fn;
  }
  executeJavaScript(code: string): Promise<unknown> {
    if (this.owner.isDestroyed()) return Promise.reject(destroyedError());
    this.executed.push(code);
    return Promise.resolve(undefined);
  }
  /** The page follows a link: true when the main process let it. */
  navigate(url: string): boolean {
    const event = new FakeEvent();
    this.emit('will-navigate', event, url);
    if (!event.defaultPrevented) this.url = url;
    return !event.defaultPrevented;
  }
  /** The page calls window.open: what the handler answered (no handler: allowed). */
  windowOpen(url: string): string {
    return this.openHandler?.({ url }).action ?? 'allow';
  }
}

type Bounds = { x: number; y: number; width: number; height: number };

export class FakeBrowserWindow extends EventEmitter {
  private static all: FakeBrowserWindow[] = [];
  static getAllWindows() {
    return [...FakeBrowserWindow.all];
  }
  static fromWebContents(wc: unknown) {
    return FakeBrowserWindow.all.find((w) => w.webContents === wc) ?? null;
  }
  readonly webContents: FakeWebContents;
  private destroyed = false;
  private painted = false;
  /** The page on screen when the window was first shown ('' while never shown). */
  firstShown = '';
  private visible: boolean;
  private focused = false;
  private minimized = false;
  private maximized = false;
  private bounds: Bounds;
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents(this);
    this.bounds = {
      x: (options.x as number | undefined) ?? 100,
      y: (options.y as number | undefined) ?? 100,
      width: options.width as number,
      height: options.height as number,
    };
    this.visible = options.show !== false;
    FakeBrowserWindow.all.push(this);
  }
  private alive() {
    if (this.destroyed) throw destroyedError();
  }
  loadURL(url: string): Promise<void> {
    this.alive();
    this.webContents.url = url;
    this.webContents.loads.push(url);
    // Electron shows nothing until the page has painted: ready-to-show comes later, and only for
    // the window's first page.
    setTimeout(() => {
      if (this.destroyed || this.painted) return;
      this.painted = true;
      this.emit('ready-to-show');
    }, 5);
    return Promise.resolve();
  }
  show() {
    this.alive();
    this.firstShown ||= this.webContents.url;
    this.visible = true;
    this.focused = true;
  }
  hide() {
    this.alive();
    this.visible = false;
    this.focused = false;
  }
  focus() {
    this.alive();
    this.focused = true;
  }
  isVisible() {
    this.alive();
    return this.visible;
  }
  isFocused() {
    this.alive();
    return this.focused;
  }
  minimize() {
    this.alive();
    this.minimized = true;
    this.focused = false;
  }
  restore() {
    this.alive();
    this.minimized = false;
  }
  isMinimized() {
    this.alive();
    return this.minimized;
  }
  maximize() {
    this.alive();
    this.maximized = true;
    this.emit('maximize');
  }
  isMaximized() {
    this.alive();
    return this.maximized;
  }
  getNormalBounds(): Bounds {
    this.alive();
    return { ...this.bounds };
  }
  /** The user drags or resizes the window. */
  setBounds(b: Partial<Bounds>) {
    this.alive();
    this.bounds = { ...this.bounds, ...b };
    if (b.x !== undefined || b.y !== undefined) this.emit('move');
    if (b.width !== undefined || b.height !== undefined) this.emit('resize');
  }
  isDestroyed() {
    return this.destroyed;
  }
  /** The user (or app.quit) closes the window; a 'close' listener may refuse. */
  close() {
    if (this.destroyed) return;
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroy();
    if (FakeBrowserWindow.all.length === 0 && app.exitCode === null) {
      // With no 'window-all-closed' listener, Electron quits.
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
      else app.quit();
    }
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    FakeBrowserWindow.all = FakeBrowserWindow.all.filter((w) => w !== this);
    this.emit('closed');
  }
}
