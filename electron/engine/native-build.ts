// Where the native parts built by native/build.mjs are (native/build/, beside the bundle or the
// source), or null when they were not built or EXPORT_MANAGER_NATIVE=0 turns them off.
import { existsSync } from 'node:fs';
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
