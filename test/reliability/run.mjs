// `npm run test:reliability`: runs the suite and ends with one line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const report = join(results, 'reliability-report.json');
rmSync(report, { force: true });
const r = spawnSync(
  join(root, 'node_modules', '.bin', 'vitest'),
  [
    'run',
    '--config',
    'test/reliability/vitest.config.ts',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  passed = j.numPassedTests;
  failed = j.numFailedTests + (j.numFailedTestSuites > 0 && j.numFailedTests === 0 ? 1 : 0);
} catch {
  failed = 1;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
