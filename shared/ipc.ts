// The one typed contract between the Electron main process and the renderer.

export interface OpenFileOptions {
  readonly title?: string;
  readonly filters?: readonly { name: string; extensions: string[] }[];
}

/** Every IPC channel, with its argument and result types. */
export interface IpcChannels {
  'dialog:open-file': { args: [options: OpenFileOptions]; result: string | null };
  'dialog:choose-folder': { args: [title?: string]; result: string | null };
  'dialog:save-file': { args: [defaultName: string]; result: string | null };
  'shell:show-item': { args: [path: string]; result: boolean };
  'shell:open-folder': { args: [path: string]; result: boolean };
  'clipboard:write-text': { args: [text: string]; result: void };
  'app:set-theme': { args: [theme: 'light' | 'dark' | 'system']; result: void };
}
export type IpcChannel = keyof IpcChannels;
export const ipcChannels = [
  'dialog:open-file',
  'dialog:choose-folder',
  'dialog:save-file',
  'shell:show-item',
  'shell:open-folder',
  'clipboard:write-text',
  'app:set-theme',
] as const satisfies readonly IpcChannel[];

/** What the preload exposes on `window.exportManager`. */
export interface DesktopBridge {
  readonly platform: 'desktop';
  readonly apiBaseUrl: string;
  readonly apiKey: string;
  openFile(options: OpenFileOptions): Promise<string | null>;
  chooseFolder(title?: string): Promise<string | null>;
  saveFile(defaultName: string): Promise<string | null>;
  showItemInFolder(path: string): Promise<boolean>;
  openFolder(path: string): Promise<boolean>;
  copyText(text: string): Promise<void>;
  setTheme(theme: 'light' | 'dark' | 'system'): Promise<void>;
}

/** Checks one message's arguments against its channel before the main process acts on it. */
export function validIpcArgs(channel: string, args: readonly unknown[]): boolean {
  const str = (v: unknown, max = 4096) => typeof v === 'string' && v.length > 0 && v.length <= max;
  switch (channel) {
    case 'dialog:open-file': {
      const o = args[0] as OpenFileOptions | undefined;
      return (
        args.length === 1 &&
        typeof o === 'object' &&
        o !== null &&
        (o.title === undefined || str(o.title, 200)) &&
        (o.filters === undefined ||
          (Array.isArray(o.filters) &&
            o.filters.every(
              (f) =>
                str(f?.name, 100) &&
                Array.isArray(f.extensions) &&
                (f.extensions as unknown[]).every((e) => str(e, 20)),
            )))
      );
    }
    case 'dialog:choose-folder':
      return args.length <= 1 && (args[0] === undefined || str(args[0], 200));
    case 'dialog:save-file':
      return args.length === 1 && str(args[0], 255);
    case 'shell:show-item':
    case 'shell:open-folder':
      return args.length === 1 && str(args[0]) && !(args[0] as string).includes('\0');
    case 'clipboard:write-text':
      return args.length === 1 && str(args[0], 100_000);
    case 'app:set-theme':
      return args.length === 1 && ['light', 'dark', 'system'].includes(args[0] as string);
    default:
      return false;
  }
}
