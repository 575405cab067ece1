// Runs the packed main bundle (out/main/index.js, extracted from app.asar) under plain Node with the
// fake `electron` module as its `electron` package, and prints one JSON line of what it did:
// the window's page and preload, what the page is served, and how quitting ended.
// Usage: node packed-main-driver.mjs EXTRACTED_APP_DIR
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const appDir = process.argv[2];
// The same module instance the bundle's `import ... from 'electron'` resolves to in the tree.
const electron = pathToFileURL(join(appDir, 'node_modules', 'electron', 'index.mjs')).href;
const { app, BrowserWindow, ipcMain } = await import(electron);
await import(pathToFileURL(join(appDir, 'out', 'main', 'index.js')).href);
app.becomeReady();
let win;
for (let i = 0; i < 600 && !(win = BrowserWindow.getAllWindows()[0]); i++)
  await new Promise((r) => setTimeout(r, 50));
if (!win) throw new Error('no window opened');
// The window opens on the starting page (a data: URL); the app's page follows once the engine is up.
for (let i = 0; i < 200 && !win.webContents.url.startsWith('http'); i++)
  await new Promise((r) => setTimeout(r, 50));
const pageUrl = win.webContents.url;
const origin = new URL(pageUrl).origin;
const page = await fetch(pageUrl, { redirect: 'manual' });
const location = page.headers.get('location');
const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
const index = await fetch(new URL(location ?? '/', origin), { headers: { cookie } });
const html = await index.text();
// The renderer's built script, served from the packed tree (not the "not built" page).
const script = /<script[^>]+src="([^"]*assets\/index-[^"]+\.js)"/.exec(html)?.[1];
const asset = script ? await fetch(new URL(script, `${origin}/`), { headers: { cookie } }) : null;
const config = ipcMain.sendSync('app:config', { url: `${origin}/`, parent: null });
const preload = win.options.webPreferences.preload;
app.quit();
const code = await app.exited();
console.log(
  JSON.stringify({
    pageUrl,
    preload,
    preloadExists: existsSync(preload),
    pageStatus: page.status,
    indexStatus: index.status,
    rendererBuilt:
      asset?.status === 200 && /javascript/.test(asset.headers.get('content-type') ?? ''),
    apiKey: typeof config?.apiKey === 'string' && config.apiKey.length > 0,
    code,
  }),
);
process.exit(code);
