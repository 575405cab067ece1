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
  'app:notify': { args: [title: string, body: string]; result: void };
}
export type IpcChannel = keyof IpcChannels;
export const ipcChannels = [
  'dialog:open-file',
  'dialog:choose-folder',
  'dialog:save-file',
  'shell:show-item',
  'app:notify',
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
  notify(title: string, body: string): Promise<void>;
}
