// `npm test`: check, build, unit tests, browser tests; ends with one line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBrowser } from './e2e/browser.mjs';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });

const only = process.argv.slice(2); // e.g. `npm test -- unit` runs one part
const wants = (part) => only.length === 0 || only.includes(part);
let passed = 0;
let failed = 0;
const problems = [];

function step(label, cmd, args, env = {}) {
  console.log(`\n> ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

if (wants('check')) {
  // Each check counts as one test, so a lint or format slip shows in the summary line too.
  const checks = [
    ['typecheck (tsc -b)', 'tsc', ['-b']],
    ['lint (eslint, zero warnings)', 'eslint', ['.', '--max-warnings', '0']],
    ['format (prettier --check)', 'prettier', ['--check', '.', '--log-level', 'warn']],
  ];
  for (const [label, tool, args] of checks) {
    if (step(label, bin(tool), args)) passed += 1;
    else {
      failed += 1;
      problems.push(`${label} failed: run "npm run check" (or "npm run format" for formatting)`);
    }
  }
}

/** One vitest run, counted test by test from its JSON report. */
function vitestStep(label, config, reportName, problem) {
  const report = join(results, reportName);
  rmSync(report, { force: true });
  const ok = step(label, bin('vitest'), [
    'run',
    '--config',
    config,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  const r = readJson(report);
  if (r) {
    passed += r.numPassedTests;
    // Name each failure again at the end, where a truncated CI log still shows it.
    for (const file of r.testResults ?? []) {
      const rel = file.name?.startsWith(root) ? file.name.slice(root.length + 1) : file.name;
      const failures = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
      for (const t of failures) problems.push(`${label}: ${rel} > ${t.fullName ?? t.title}`);
      if (failures.length === 0 && file.status === 'failed')
        problems.push(`${label}: ${rel} failed to run: ${(file.message ?? '').split('\n')[0]}`);
    }
    failed +=
      r.numFailedTests +
      (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
  } else failed += 1;
  if (!ok) problems.push(problem);
}

if (wants('unit'))
  vitestStep(
    'unit and API tests (vitest)',
    'test/vitest.config.ts',
    'unit-report.json',
    'unit tests failed',
  );

if (wants('postgres')) {
  // The same engine and API tests on the PostgreSQL store (test/vitest.postgres.config.ts).
  if (!existsSync('/usr/lib/postgresql/15/bin/initdb'))
    console.log('\n> engine and API tests on PostgreSQL: skipped, PostgreSQL 15 is not installed');
  else
    vitestStep(
      'engine and API tests on PostgreSQL (vitest, the store matrix)',
      'test/vitest.postgres.config.ts',
      'postgres-report.json',
      'engine and API tests on PostgreSQL failed',
    );
}

if (wants('e2e')) {
  const built = step('build (electron-vite build)', bin('electron-vite'), ['build']);
  const noBrowser = built ? ensureBrowser() : 'the build failed';
  if (noBrowser) {
    console.error(noBrowser);
    problems.push(noBrowser);
    failed += 1;
  } else {
    const report = join(results, 'e2e-report.json');
    rmSync(report, { force: true });
    const ok = step('browser tests (playwright, chromium)', bin('playwright'), [
      'test',
      '--config',
      'test/e2e/playwright.config.ts',
    ]);
    const r = readJson(report);
    if (r?.stats) {
      passed += r.stats.expected + (r.stats.flaky ?? 0);
      failed += r.stats.unexpected;
      const walk = (suite) => {
        for (const spec of suite.specs ?? [])
          if (spec.ok === false) problems.push(`browser tests: ${spec.file} > ${spec.title}`);
        for (const child of suite.suites ?? []) walk(child);
      };
      for (const suite of r.suites ?? []) walk(suite);
    } else failed += 1;
    if (!ok) problems.push('browser tests failed');
  }
}

if (problems.length) console.error(`\nProblems:\n- ${problems.join('\n- ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(problems.length || failed ? 1 : 0);
