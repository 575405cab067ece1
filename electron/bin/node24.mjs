// Finds a Node that can run our TypeScript directly (>= 22.18 strips types; better-sqlite3 13 needs >= 22).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

export function nodeIsNewEnough(version = process.versions.node) {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

/** The Node binary to use: this one if new enough, else the `node` devDependency (Node 24). */
export function pickNode() {
  if (nodeIsNewEnough()) return process.execPath;
  const bundled = fileURLToPath(new URL('../../node_modules/node/bin/node', import.meta.url));
  if (existsSync(bundled)) return bundled;
  return null;
}
