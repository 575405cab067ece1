// The desktop shell's security settings, asserted in Node (Electron itself cannot run on CI).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CSP } from '../../electron/server/static.ts';
import {
  isOwnUrl,
  isTrustedSender,
  permissionDecision,
  secureWebPreferences,
  windowOpenDecision,
} from '../../electron/main/security.ts';
import { ipcChannels } from '../../shared/ipc.ts';

const ORIGIN = 'http://127.0.0.1:8787';
const root = resolve(import.meta.dirname, '../..');

describe('Electron shell security', () => {
  it('never navigates away from our own page', () => {
    expect(isOwnUrl(`${ORIGIN}/#/exports`, ORIGIN)).toBe(true);
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:8788/',
      'http://localhost:8787/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'not a url',
    ])
      expect(isOwnUrl(url, ORIGIN), url).toBe(false);
  });

  it('serves the page under a CSP with no inline or foreign code, no framing, no plugins', () => {
    const directives = Object.fromEntries(
      CSP.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives['default-src']).toBe("'self'");
    expect(directives['script-src']).toBe("'self'");
    expect(directives['style-src']).toBe("'self'");
    expect(directives['connect-src']).toBe("'self'");
    expect(directives['object-src']).toBe("'none'");
    expect(directives['frame-ancestors']).toBe("'none'");
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('uses Electron secure defaults for every window', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    // The main process creates windows only through secureWebPreferences.
    const main = readFileSync(resolve(root, 'electron/main/desktop-app.ts'), 'utf8');
    const windows = main.match(/new BrowserWindow\(/g) ?? [];
    expect(windows.length).toBe(main.match(/webPreferences: secureWebPreferences\(/g)?.length);
  });

  it('denies window.open: web links go to the browser, nothing opens in the app', () => {
    expect(windowOpenDecision('https://example.com/docs', ORIGIN)).toEqual({
      action: 'deny',
      openExternally: true,
    });
    expect(windowOpenDecision(`${ORIGIN}/exports`, ORIGIN)).toEqual({
      action: 'deny',
      openExternally: false,
    });
    expect(windowOpenDecision('file:///etc/passwd', ORIGIN).openExternally).toBe(false);
    expect(windowOpenDecision('javascript:alert(1)', ORIGIN).openExternally).toBe(false);
  });

  it('denies every web permission request', () => {
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
    ]) {
      expect(permissionDecision(p)).toBe(false);
    }
  });

  it('answers IPC only from the top frame of our own page', () => {
    expect(
      isTrustedSender({ senderFrame: { url: `${ORIGIN}/exports`, parent: null } }, ORIGIN),
    ).toBe(true);
    expect(
      isTrustedSender({ senderFrame: { url: 'https://evil.example/', parent: null } }, ORIGIN),
    ).toBe(false);
    expect(isTrustedSender({ senderFrame: { url: `${ORIGIN}/`, parent: {} } }, ORIGIN)).toBe(false);
    expect(
      isTrustedSender({ senderFrame: { url: 'http://127.0.0.1:9999/', parent: null } }, ORIGIN),
    ).toBe(false);
    expect(isTrustedSender({ senderFrame: null }, ORIGIN)).toBe(false);
  });

  it('exposes named functions through contextBridge, never ipcRenderer itself', () => {
    const preload = readFileSync(resolve(root, 'electron/preload/index.ts'), 'utf8');
    expect(preload).toMatch(/satisfies DesktopBridge/);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    for (const ch of ipcChannels) expect(preload).toContain(`'${ch}'`);
  });
});
