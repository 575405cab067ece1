// Where the native parts built by native/build.mjs are (native/build/, beside the bundle or the
// source), or null when they were not built or EXPORT_MANAGER_NATIVE=0 turns them off.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Why a native part is not used: `not built (…)` or `turned off (…)`, for logs. */
export function nativeFile(name: string): { file: string } | { missing: string } {
  if (process.env.EXPORT_MANAGER_NATIVE === '0')
    return { missing: 'turned off (EXPORT_MANAGER_NATIVE=0)' };
  const rel = join('native', 'build', name);
  // From source (electron/engine) or a bundle chunk (out/main[/chunks]), or app.asar in the app.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, rel);
    if (existsSync(candidate)) return { file: candidate };
    dir = dirname(dir);
  }
  return { missing: `not built (${rel}; see native/build.mjs)` };
}

const addons = new Map<string, { addon: unknown } | { missing: string }>();

/** A Node-API addon from native/build/, loaded once per thread, or why it is not there. */
export function requireNative(name: string): { addon: unknown } | { missing: string } {
  let found = addons.get(name);
  if (found !== undefined) return found;
  const file = nativeFile(name);
  if ('missing' in file) found = file;
  else {
    try {
      found = { addon: createRequire(import.meta.url)(file.file) as unknown };
    } catch (err) {
      found = { missing: `failed to load: ${(err as Error).message}` };
    }
  }
  addons.set(name, found);
  return found;
}
