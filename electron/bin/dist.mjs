// `npm run dist -- [electron-builder flags]`: builds the bundles, then the installers with
// electron-builder. electron-builder needs the Electron binary for the target: it downloads it
// (release hosts), or takes a folder holding it with `-c.electronDist=DIR`. Where neither can work,
// this says so in one line instead of a long download stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './node24.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);
const args = process.argv.slice(2);

/** The folder given with -c.electronDist=DIR / --config.electronDist DIR, or null. */
export function electronDistArg(argv) {
  for (let i = 0; i < argv.length; i++) {
    const m = /^(?:-c|--config)\.electronDist(?:=(.*))?$/.exec(argv[i]);
    if (m) return m[1] ?? argv[i + 1] ?? '';
  }
  return null;
}

function electronVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8'))
    .version;
}

async function downloadReachable(version) {
  const mirror =
    process.env.ELECTRON_MIRROR || 'https://github.com/electron/electron/releases/download/';
  const url = `${mirror.replace(/\/?$/, '/')}v${version}/SHASUMS256.txt`;
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(15_000) });
    return res.ok ? null : `${url} answered ${res.status}`;
  } catch (err) {
    return `${url}: ${err.cause?.code ?? err.cause?.message ?? err.message}`;
  }
}

const dist = electronDistArg(args);
if (dist !== null) {
  const exe = ['electron', 'electron.exe', 'Electron.app'].map((f) => join(dist, f));
  if (!dist || !exe.some((f) => existsSync(f))) {
    console.error(
      `npm run dist: -c.electronDist must name a folder holding the Electron binary (electron, electron.exe or Electron.app); "${dist}" has none.`,
    );
    process.exit(1);
  }
} else {
  const version = electronVersion();
  const problem = await downloadReachable(version);
  if (problem) {
    console.error(
      `npm run dist: electron-builder needs the Electron ${version} binary and cannot download it here (${problem}). ` +
        'Run it where the download works, or pass a folder holding it: npm run dist -- --linux dir -c.electronDist=DIR',
    );
    process.exit(1);
  }
}

const build = spawnSync(bin('electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const version = dist !== null ? [`-c.electronVersion=${electronVersion()}`] : [];
const pack = spawnSync(
  bin('electron-builder'),
  ['--config', 'electron-builder.yml', ...version, ...args],
  { cwd: root, stdio: 'inherit' },
);
process.exit(pack.status ?? 1);
