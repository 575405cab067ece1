// `npm start`: build, then the desktop app; where Electron cannot start, say why in one line and serve.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './node24.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);

const build = spawnSync(bin('electron-vite'), ['build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) {
  console.error('Export Manager: the build failed (see above); run "npm run build" for details.');
  process.exit(build.status ?? 1);
}

/** Why Electron cannot start here, or null when it can. */
function electronProblem() {
  // Resolving `electron` may try its lazy binary download: do it in a child, quietly.
  const where = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (where.status !== 0) {
    if (/Cannot find module 'electron'/.test(where.stderr))
      return 'the electron package is not installed';
    return 'its binary is not installed and could not be downloaded (its download host is unreachable from here)';
  }
  const electronPath = where.stdout.trim();
  if (!existsSync(electronPath)) return `its binary is missing (${electronPath})`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  }
  const probe = spawnSync(electronPath, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit ${probe.status}`)
      .trim()
      .split('\n')[0];
    return `its binary does not run (${why})`;
  }
  return null;
}

const run = (cmd, args) => {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
};

const problem = electronProblem();
if (problem === null) {
  run(bin('electron-vite'), ['preview', '--skipBuild']);
} else {
  console.log(
    `Electron cannot start: ${problem}. Running the same app headless instead; open the URL below.`,
  );
  // The bundle just built, as the desktop app would run it.
  run(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve', ...process.argv.slice(2)]);
}
