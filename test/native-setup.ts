// Vitest global setup: builds the native CSV reader (native/build.mjs) where a C compiler is, so
// the tests run the export path users of a packaged app run. Without a compiler it says why in one
// line and the exports use the JavaScript encoder (its tests then skip with a notice).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  spawnSync(process.execPath, [join(import.meta.dirname, '..', 'native', 'build.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
}
