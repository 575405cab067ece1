import { defineConfig } from '@playwright/test';
// @ts-expect-error: a plain .mjs helper shared with the test runner script.
import { CHROMIUM_ARGS, findBrowser } from './browser.mjs';

const executablePath = findBrowser() as string | undefined | null;

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../../test-results/e2e-artifacts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '../../test-results/e2e-report.json' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: executablePath ?? undefined, args: CHROMIUM_ARGS },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
