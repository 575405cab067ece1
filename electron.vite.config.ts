// Builds the three Electron bundles: main (with the engine and its export worker), preload, renderer.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The export worker's native CSV reader (native/build.mjs): built beside the bundles where a C
 * compiler is, loaded from native/build/ at run time; without it exports use the JavaScript
 * encoder. Every build (npm start, npm run build, npm run dist, the tests, the bench) comes here.
 */
const nativeCsvRows = (): Plugin => ({
  name: 'native-csv-rows',
  buildStart() {
    spawnSync(process.execPath, [resolve('native/build.mjs'), '--quiet'], { stdio: 'inherit' });
  },
});

export default defineConfig({
  main: {
    plugins: [nativeCsvRows()],
    build: {
      outDir: 'out/main',
      // typebox ships as hundreds of small ES modules: loading them one by one took about a quarter
      // of `serve`'s start; bundled, only the parts we use are in our chunks.
      externalizeDeps: { exclude: ['typebox'] },
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          cli: resolve('electron/cli.ts'),
          'export-worker': resolve('electron/engine/exports/export-worker.ts'),
          'encode-lane-worker': resolve('electron/engine/exports/encode-lane-worker.ts'),
          'import-worker': resolve('electron/engine/datasets/import-worker.ts'),
          'sink-worker': resolve('electron/engine/datasets/sink-worker.ts'),
          'changes-worker': resolve('electron/engine/schedules/changes-worker.ts'),
          'query-worker': resolve('electron/engine/datasets/query-worker.ts'),
          'pg-bridge-worker': resolve('electron/engine/store/postgres/pg-bridge-worker.ts'),
        },
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        // Sandboxed preloads cannot be ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
