// IPC handlers for the typed channels of shared/ipc.ts; every message's sender is checked.
import {
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  nativeTheme,
  shell,
  type IpcMainInvokeEvent,
} from 'electron';
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { validIpcArgs, type IpcChannel, type IpcChannels } from '../../shared/ipc.ts';
import { isTrustedSender } from './security.ts';
import type { TeamEngine } from './team-engine.ts';

type Handler<C extends IpcChannel> = (
  event: IpcMainInvokeEvent,
  ...args: IpcChannels[C]['args']
) => Promise<IpcChannels[C]['result']> | IpcChannels[C]['result'];

export function registerIpc(serverOrigin: string, team: TeamEngine): void {
  const handle = <C extends IpcChannel>(channel: C, fn: Handler<C>) => {
    ipcMain.handle(channel, (event, ...args) => {
      if (!isTrustedSender(event, serverOrigin))
        throw new Error('IPC refused: the sender is not the app window.');
      if (!validIpcArgs(channel, args))
        throw new Error(`IPC refused: bad arguments for ${channel}.`);
      return fn(event, ...(args as IpcChannels[C]['args']));
    });
  };
  const win = (e: IpcMainInvokeEvent) => BrowserWindow.fromWebContents(e.sender) ?? undefined;

  // The preload asks at each page load, synchronously, for what the renderer needs to call the
  // API: this computer's engine, or the relay to the team engine.
  ipcMain.on('app:config', (event) => {
    event.returnValue = isTrustedSender(event, serverOrigin) ? team.config() : null;
  });

  handle('dialog:open-file', async (e, options) => {
    const w = win(e);
    const props = {
      title: options.title,
      properties: ['openFile' as const],
      filters: options.filters?.map((f) => ({ ...f })),
    };
    const r = w ? await dialog.showOpenDialog(w, props) : await dialog.showOpenDialog(props);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
  handle('dialog:choose-folder', async (e, title) => {
    const w = win(e);
    const props = { title, properties: ['openDirectory' as const, 'createDirectory' as const] };
    const r = w ? await dialog.showOpenDialog(w, props) : await dialog.showOpenDialog(props);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
  handle('dialog:save-file', async (e, defaultName) => {
    const w = win(e);
    const r = w
      ? await dialog.showSaveDialog(w, { defaultPath: defaultName })
      : await dialog.showSaveDialog({ defaultPath: defaultName });
    return r.canceled ? null : (r.filePath ?? null);
  });
  handle('shell:show-item', (_e, path) => {
    if (!isAbsolute(path)) return false;
    shell.showItemInFolder(path);
    return true;
  });
  handle('shell:open-folder', async (_e, path) => {
    // Folders only: openPath on a file would run it with its default application.
    if (!isAbsolute(path) || !statSync(path, { throwIfNoEntry: false })?.isDirectory())
      return false;
    return (await shell.openPath(path)) === '';
  });
  handle('clipboard:write-text', (_e, text) => clipboard.writeText(text));
  handle('app:set-theme', (_e, theme) => {
    nativeTheme.themeSource = theme;
  });
  // The team engine setting: the page reloads after connect or disconnect to use the new config.
  handle('team:get', () => team.view());
  handle('team:test', (_e, form) => team.test(form));
  handle('team:connect', (_e, form) => team.connect(form));
  handle('team:disconnect', () => team.disconnect());
}
