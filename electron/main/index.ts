// The Electron main bundle's entry (out/main/index.js): the preload and renderer bundles sit beside it.
import { fileURLToPath } from 'node:url';
import { startDesktopApp } from './desktop-app.ts';

startDesktopApp({ bundleDir: fileURLToPath(new URL('.', import.meta.url)) });
