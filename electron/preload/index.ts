// The only bridge between the page and the main process: named functions, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import type { AppConfig, DesktopBridge, IpcChannel, IpcChannels } from '../../shared/ipc.ts';

const invoke = <C extends IpcChannel>(
  channel: C,
  ...args: IpcChannels[C]['args']
): Promise<IpcChannels[C]['result']> =>
  ipcRenderer.invoke(channel, ...args) as Promise<IpcChannels[C]['result']>;

const config = (ipcRenderer.sendSync('app:config') as AppConfig | null) ?? {
  apiBaseUrl: '',
  apiKey: '',
  engine: { kind: 'local' as const },
};

const bridge = {
  platform: 'desktop',
  apiBaseUrl: config.apiBaseUrl,
  apiKey: config.apiKey,
  engine: config.engine,
  openFile: (options) => invoke('dialog:open-file', options),
  chooseFolder: (title) => invoke('dialog:choose-folder', title),
  saveFile: (defaultName) => invoke('dialog:save-file', defaultName),
  showItemInFolder: (path) => invoke('shell:show-item', path),
  openFolder: (path) => invoke('shell:open-folder', path),
  copyText: (text) => invoke('clipboard:write-text', text),
  setTheme: (theme) => invoke('app:set-theme', theme),
  teamEngine: () => invoke('team:get'),
  testTeamEngine: (form) => invoke('team:test', form),
  connectTeamEngine: (form) => invoke('team:connect', form),
  useLocalEngine: () => invoke('team:disconnect'),
} satisfies DesktopBridge;

contextBridge.exposeInMainWorld('exportManager', bridge);
