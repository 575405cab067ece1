// Which Chromium the e2e tests drive: Playwright's own where installed, else Debian's.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chromium } from '@playwright/test';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** undefined = Playwright's managed browser; a path = that binary; null = none. */
export function findBrowser() {
  try {
    if (existsSync(chromium.executablePath())) return undefined;
  } catch {
    /* no managed browser */
  }
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  return null;
}

/** Installs Debian's chromium when we can (root, apt-get); returns a one-line reason when we cannot. */
export function ensureBrowser() {
  if (findBrowser() !== null) return null;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    return 'No browser for the e2e tests: run "npx playwright install chromium", or "sudo apt-get install chromium".';
  }
  console.log('Installing Debian chromium for the browser tests (apt-get install -y chromium)...');
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (update.status !== 0 || install.status !== 0 || findBrowser() === null) {
    return 'No browser for the e2e tests: apt-get install chromium failed; run "npx playwright install chromium" instead.';
  }
  return null;
}
