// The app's version from package.json; light enough to read before anything else loads.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Our package.json's version, found by walking up from this file (source or any bundle chunk). */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'export-manager') return pkg.version ?? '0.0.0';
    } catch {
      // No package.json here (or not readable): keep walking up.
    }
    if (dirname(dir) === dir) return '0.0.0';
  }
}
