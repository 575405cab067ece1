// The desktop app as electron-builder lays it out for Linux, with a stand-in for the Electron binary
// (none can be downloaded here): what app.asar holds, the one native prebuild unpacked beside it,
// the bundles' runtime imports all in `dependencies`, and the packed headless entry serving
// /healthz from the extracted tree alone.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { tempDir } from '../helpers/context.ts';
import { spawnServe } from '../helpers/spawn-serve.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const target = `${process.platform}-${process.arch}`;

let work: string;
let appDir: string;
let asarFiles: string[];
let extracted: string;
let dist: ReturnType<typeof spawnSync>;

function dirSize(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, f) => sum + dirSize(join(path, f)), 0);
}

beforeAll(() => {
  work = tempDir('em-packaging-');
  const fakeElectron = join(work, 'electron-dist');
  mkdirSync(fakeElectron);
  writeFileSync(join(fakeElectron, 'electron'), '#!/bin/sh\necho "stand-in electron $*"\n');
  chmodSync(join(fakeElectron, 'electron'), 0o755);
  dist = spawnSync(
    process.execPath,
    [
      'electron/bin/dist.mjs',
      '--linux',
      'dir',
      `-c.electronDist=${fakeElectron}`,
      `-c.directories.output=${join(work, 'dist')}`,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  appDir = join(work, 'dist', 'linux-unpacked');
  const list = spawnSync(bin('asar'), ['list', join(appDir, 'resources', 'app.asar')], {
    encoding: 'utf8',
  });
  asarFiles = list.stdout.split('\n').filter(Boolean);
  extracted = join(work, 'extracted');
  spawnSync(bin('asar'), ['extract', join(appDir, 'resources', 'app.asar'), extracted]);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run dist -- --linux dir, with a stand-in Electron binary', () => {
  it('lays out the app', () => {
    expect(dist.status, String(dist.stderr)).toBe(0);
    expect(existsSync(join(appDir, 'export-manager'))).toBe(true);
    expect(existsSync(join(appDir, 'resources', 'bin', 'export-manager'))).toBe(true);
  });

  it('app.asar holds the main, preload, worker and renderer bundles and package.json', () => {
    for (const f of [
      '/out/main/index.js',
      '/out/main/cli.js',
      '/out/main/export-worker.js',
      '/out/main/import-worker.js',
      '/out/main/sink-worker.js',
      '/out/main/changes-worker.js',
      '/out/main/query-worker.js',
      '/out/main/encode-lane-worker.js',
      '/out/main/pg-bridge-worker.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/package.json',
    ])
      expect(asarFiles).toContain(f);
    expect(asarFiles.some((f) => /^\/out\/renderer\/assets\/index-.*\.js$/.test(f))).toBe(true);
  });

  it('ships no dev dependency, no source and no TypeScript', () => {
    const packed = new Set(
      asarFiles
        .map((f) => /^\/node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(f)?.[1])
        .filter((n): n is string => Boolean(n)),
    );
    for (const dev of ['electron', 'react', 'react-dom', 'zustand', 'vitest', 'typescript', 'node'])
      expect(packed.has(dev), dev).toBe(false);
    for (const dep of Object.keys(pkg.dependencies)) expect(packed.has(dep), dep).toBe(true);
    expect(asarFiles.filter((f) => /^\/(electron|renderer|shared|test)\//.test(f))).toEqual([]);
    expect(asarFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('unpacks the native SQLite module with only this platform’s prebuild and no sources', () => {
    const unpacked = join(
      appDir,
      'resources',
      'app.asar.unpacked',
      'node_modules',
      'better-sqlite3',
    );
    expect(readdirSync(join(unpacked, 'prebuilds'))).toEqual([`${target}.node`]);
    for (const gone of ['deps', 'src', 'build', 'binding.gyp'])
      expect(existsSync(join(unpacked, gone)), gone).toBe(false);
  });

  it('unpacks the native CSV reader and scanner and the import extension beside app.asar, where they load', () => {
    const built = join(root, 'native', 'build', 'csv-rows.node');
    if (!existsSync(built)) {
      console.warn('native/build/csv-rows.node was not built here (no C compiler): not checked');
      return;
    }
    const unpacked = join(appDir, 'resources', 'app.asar.unpacked', 'native', 'build');
    expect(readdirSync(unpacked).sort()).toEqual(['csv-rows.node', 'import-rows.so']);
    expect(asarFiles.filter((f) => f.startsWith('/native/')).sort()).toEqual([
      '/native/build',
      '/native/build/csv-rows.node',
      '/native/build/import-rows.so',
    ]);
    const db = new Database(':memory:');
    db.loadExtension(join(unpacked, 'import-rows.so'));
    db.exec('CREATE TABLE data (a, b)');
    expect(
      db
        .prepare('SELECT em_insert_rows(?, ?, ?, ?)')
        .pluck()
        .get('data', '1\u0000x', Buffer.from([1, 4]), 1),
    ).toBe(1);
    expect(db.prepare('SELECT a, b FROM data').raw(true).all()).toEqual([[1, 'x']]);
    db.close();
    const addon = createRequire(import.meta.url)(join(unpacked, 'csv-rows.node')) as Record<
      string,
      unknown
    >;
    for (const fn of ['open', 'fill', 'close', 'scanCsv'])
      expect(typeof addon[fn], fn).toBe('function');
  });

  // 19 MB before the native CSV reader (about 1 MB: its own SQLite) went in.
  it('stays small: the app without Electron under 21 MB', () => {
    const size = dirSize(join(appDir, 'resources'));
    console.log(`packed app (resources/, without Electron): ${(size / 1e6).toFixed(1)} MB`);
    expect(size).toBeLessThan(21e6);
  });

  it('every runtime import of the main, worker and preload bundles is in dependencies', () => {
    const bundles = asarFiles.filter((f) => /^\/out\/(main|preload)\/.*\.c?js$/.test(f));
    expect(bundles.length).toBeGreaterThanOrEqual(6);
    const imported = new Set<string>();
    for (const f of bundles) {
      const code = readFileSync(join(extracted, f), 'utf8');
      for (const m of code.matchAll(
        /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'.][^"']*)["']/g,
      )) {
        const spec = m[1]!;
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : spec.split('/')[0]!;
        imported.add(name);
      }
    }
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const missing = [...imported].filter(
      (n) =>
        !builtins.has(n) && !n.startsWith('node:') && n !== 'electron' && !(n in pkg.dependencies),
    );
    expect(missing, `imported at run time but not in dependencies: ${missing.join(', ')}`).toEqual(
      [],
    );
    expect(imported.has('better-sqlite3')).toBe(true);
  });

  it('the packed headless entry, extracted, starts and answers /healthz with nothing but the packed tree', async () => {
    expect(
      existsSync(join(extracted, 'node_modules', 'better-sqlite3', 'prebuilds', `${target}.node`)),
    ).toBe(true);
    // Nothing but the packed tree: no node_modules of the project, no environment of ours.
    const serve = await spawnServe(
      ['--demo-rows', '10'],
      { PATH: process.env.PATH ?? '', HOME: work },
      {
        dataDir: join(work, 'data'),
        cli: join(extracted, 'out', 'main', 'cli.js'),
        cwd: extracted,
      },
    );
    try {
      const url = serve.base;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { status: string; version: string } };
      expect(body.data).toEqual({
        status: 'ok',
        version: pkg.version,
        storage: { kind: 'local', ok: true },
        store: { kind: 'sqlite', ok: true },
      });
    } finally {
      await serve.stop();
    }
  });

  it('the packed main bundle, run on a fake electron module, opens its window on the packed renderer and quits clean', () => {
    // The extracted tree plus an `electron` package that is the test fake (the real binary cannot run here).
    const tree = join(work, 'packed-main');
    cpSync(extracted, tree, { recursive: true });
    const fakeElectron = join(tree, 'node_modules', 'electron');
    mkdirSync(fakeElectron);
    writeFileSync(
      join(fakeElectron, 'package.json'),
      JSON.stringify({ name: 'electron', type: 'module', exports: './index.mjs' }),
    );
    const fakeModule = join(root, 'test', 'electron', 'fake-electron.ts');
    writeFileSync(
      join(fakeElectron, 'index.mjs'),
      `export * from ${JSON.stringify(fakeModule)};\n`,
    );
    const dataDir = join(work, 'desktop-data');
    const r = spawnSync(
      process.execPath,
      [join(root, 'test', 'packaging', 'packed-main-driver.mjs'), tree],
      {
        cwd: tree,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: work, EXPORT_MANAGER_DATA_DIR: dataDir },
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(seen).toMatchObject({
      preload: join(tree, 'out', 'preload', 'index.cjs'),
      preloadExists: true,
      pageStatus: 302,
      indexStatus: 200,
      rendererBuilt: true,
      apiKey: true,
      code: 0,
    });
    expect(seen.pageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(existsSync(join(dataDir, 'engine.pid'))).toBe(false);
  }, 150_000);

  it('ships its identity: product name and version in package.json, the About icon', () => {
    const packed = JSON.parse(readFileSync(join(extracted, 'package.json'), 'utf8')) as {
      productName?: string;
      version?: string;
    };
    expect(packed).toMatchObject({ productName: 'Export Manager', version: pkg.version });
    const icon = readFileSync(join(appDir, 'resources', 'icon.png'));
    expect(icon.subarray(1, 4).toString()).toBe('PNG');
  });

  it('without the Electron binary it stops with one clear line', () => {
    const r = spawnSync(
      process.execPath,
      ['electron/bin/dist.mjs', '--linux', 'dir', `-c.electronDist=${join(work, 'nothing-here')}`],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/-c\.electronDist must name a folder holding the Electron binary/);
  });

  it('where the Electron download is unreachable, it says so in one line and how to go on', async () => {
    // A port that was free a moment ago: nothing listens, the download cannot start.
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((ok) => probe.close(ok));
    const r = spawnSync(process.execPath, ['electron/bin/dist.mjs', '--linux', 'dir'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_MIRROR: `http://127.0.0.1:${port}/` },
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /electron-builder needs the Electron [\d.]+ binary and cannot download it here \(http:\/\/127\.0\.0\.1:\d+\/v[\d.]+\/SHASUMS256\.txt: ECONNREFUSED\)/,
    );
    expect(r.stderr).toContain('-c.electronDist=DIR');
  });
});
