// The IPC handlers and the preload bridge of the desktop app, run under Node against the fake
// `electron` module with a real engine: senders are checked, arguments validated, and what the
// handlers do reaches dialogs, the shell, the clipboard and the theme as the page asked.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesktopBridge } from '../../shared/ipc.ts';
import { createSafeStorageBox } from '../../electron/main/secret-box.ts';
import { fake, ipcMain, nativeTheme } from './fake-electron.ts';
import { boot, shutDown, type Booted } from './desktop-harness.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

let b: Booted;
let folder: string;
let file: string;
beforeAll(async () => {
  b = await boot();
  folder = join(b.dataDir, 'a folder');
  mkdirSync(folder);
  file = join(folder, 'report.csv');
  writeFileSync(file, 'id\n1\n');
});
afterAll(() => shutDown(b?.dataDir));
beforeEach(() => {
  Object.assign(fake, { dialogCalls: [], opened: { external: [], paths: [], shownItems: [] } });
});

const call = (channel: string, ...args: unknown[]) => ipcMain.invoke(channel, b.frame, ...args);

describe('IPC from the page', () => {
  it('is refused from a foreign page, an iframe of ours, or no frame', async () => {
    const foreign = { url: 'https://evil.example/', parent: null };
    const iframe = { url: `${b.origin}/`, parent: {} };
    for (const frame of [foreign, iframe, null])
      await expect(ipcMain.invoke('shell:open-folder', frame, folder)).rejects.toThrow(
        'IPC refused: the sender is not the app window.',
      );
    expect(fake.opened.paths).toEqual([]);
    expect(ipcMain.sendSync('app:config', foreign)).toBeNull();
    expect(ipcMain.sendSync('app:config', iframe)).toBeNull();
  });

  it('gives the app window what it needs to call the API, and that key works', async () => {
    const config = ipcMain.sendSync('app:config', b.frame) as {
      apiBaseUrl: string;
      apiKey: string;
    };
    expect(config.apiBaseUrl).toBe(b.origin);
    const res = await fetch(`${b.origin}/v1/exports`, {
      headers: { authorization: `Bearer ${config.apiKey}` },
    });
    expect(res.status).toBe(200);
  });

  it('refuses bad arguments on every channel before acting', async () => {
    const bad: [string, unknown[]][] = [
      ['dialog:open-file', []],
      ['dialog:open-file', [{ filters: [{ name: 'CSV', extensions: [1] }] }]],
      ['dialog:open-file', [{ title: 'x'.repeat(201) }]],
      ['dialog:choose-folder', [42]],
      ['dialog:save-file', ['']],
      ['dialog:save-file', ['a', 'b']],
      ['shell:show-item', [`${folder}\0/x`]],
      ['shell:open-folder', [{ path: folder }]],
      ['clipboard:write-text', ['']],
      ['app:set-theme', ['purple']],
    ];
    for (const [channel, args] of bad)
      await expect(call(channel, ...args), channel).rejects.toThrow(
        `IPC refused: bad arguments for ${channel}.`,
      );
    expect(fake.dialogCalls).toEqual([]);
    expect(fake.opened).toEqual({ external: [], paths: [], shownItems: [] });
    expect(nativeTheme.themeSource).toBe('system');
    expect(fake.clipboardText).toBe('');
  });

  it('open and save dialogs are attached to the window; cancel answers null', async () => {
    expect(await call('dialog:open-file', { title: 'Pick a CSV' })).toBeNull();
    fake.openDialogResults.push({ canceled: false, filePaths: [file] });
    const filters = [{ name: 'CSV', extensions: ['csv'] }];
    expect(await call('dialog:open-file', { title: 'Pick a CSV', filters })).toBe(file);
    expect(fake.dialogCalls[1]).toEqual({
      kind: 'open',
      parent: b.window,
      options: { title: 'Pick a CSV', properties: ['openFile'], filters },
    });
    fake.openDialogResults.push({ canceled: false, filePaths: [folder] });
    expect(await call('dialog:choose-folder', 'Where to save')).toBe(folder);
    expect(fake.dialogCalls[2]!.options).toMatchObject({
      properties: ['openDirectory', 'createDirectory'],
    });
    fake.saveDialogResults.push({ canceled: false, filePath: join(folder, 'out.csv') });
    expect(await call('dialog:save-file', 'out.csv')).toBe(join(folder, 'out.csv'));
    expect(fake.dialogCalls[3]).toMatchObject({
      parent: b.window,
      options: { defaultPath: 'out.csv' },
    });
  });

  it('opens folders only, never runs a file, and shows files in their folder', async () => {
    expect(await call('shell:open-folder', folder)).toBe(true);
    expect(await call('shell:open-folder', file)).toBe(false);
    expect(await call('shell:open-folder', 'relative/dir')).toBe(false);
    expect(await call('shell:open-folder', join(folder, 'gone'))).toBe(false);
    expect(fake.opened.paths).toEqual([folder]);
    expect(await call('shell:show-item', file)).toBe(true);
    expect(await call('shell:show-item', 'report.csv')).toBe(false);
    expect(fake.opened.shownItems).toEqual([file]);
  });

  it('copies text and sets the theme; the page has no channel to raise a notification', async () => {
    await call('clipboard:write-text', 'exp_123');
    expect(fake.clipboardText).toBe('exp_123');
    await call('app:set-theme', 'dark');
    expect(nativeTheme.themeSource).toBe('dark');
    const before = fake.notifications.length;
    await expect(call('app:notify', 'Copied', 'The link is on the clipboard')).rejects.toThrow(
      "No handler registered for 'app:notify'",
    );
    expect(fake.notifications.length).toBe(before);
  });
});

describe('the preload bridge', () => {
  it('exposes the typed functions only, wired to the handlers above', async () => {
    fake.rendererFrame = b.frame;
    await import('../../electron/preload/index.ts');
    const bridge = fake.exposed.exportManager as DesktopBridge;
    expect(Object.keys(fake.exposed)).toEqual(['exportManager']);
    expect(bridge.platform).toBe('desktop');
    expect(bridge.apiBaseUrl).toBe(b.origin);
    expect(bridge.apiKey).toBe(b.apiKey);
    expect(bridge.engine).toEqual({ kind: 'local' });
    for (const [key, value] of Object.entries(bridge))
      if (key !== 'engine')
        expect(typeof value === 'function' || typeof value === 'string', key).toBe(true);
    expect(await bridge.teamEngine()).toEqual({
      url: null,
      hasKey: false,
      connected: false,
      keyStorage: 'keychain',
    });
    expect((await bridge.testTeamEngine({ url: 'gopher://x', apiKey: 'k' })).kind).toBe('invalid');
    expect(await bridge.openFolder(folder)).toBe(true);
    expect(await bridge.showItemInFolder(file)).toBe(true);
    await bridge.setTheme('light');
    expect(nativeTheme.themeSource).toBe('light');
    await expect(bridge.setTheme('neon' as 'light')).rejects.toThrow(/bad arguments/);
  });
});

describe('provider credentials sealed by the OS keychain', () => {
  it('seals with safeStorage where the OS has a keychain, and opens what it sealed', () => {
    fake.keychain = 'gnome_libsecret';
    const box = createSafeStorageBox()!;
    expect(box.kind).toBe('safeStorage');
    const sealed = box.encrypt('s3cr3t-token');
    expect(sealed).not.toContain('s3cr3t-token');
    expect(Buffer.from(sealed, 'base64').toString()).not.toContain('s3cr3t-token');
    expect(box.decrypt(sealed)).toBe('s3cr3t-token');
    expect(() => box.decrypt(Buffer.from('forged').toString('base64'))).toThrow(/decrypting/);
  });

  it('falls back to the engine key file where there is no keychain, or only plain text', () => {
    fake.keychain = null;
    expect(createSafeStorageBox()).toBeNull();
    fake.keychain = 'basic_text';
    if (process.platform === 'linux') expect(createSafeStorageBox()).toBeNull();
  });
});
