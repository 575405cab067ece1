// Shared steps of the browser tests: sign in, collect console errors, screenshots in both themes.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';
import type { Served } from './serve-fixture.ts';

export const SCREENS_DIR = resolve(import.meta.dirname, '../../test-results/screens');

/** Every console error and uncaught exception of the page; a test ends expecting none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

export async function signIn(page: Page, served: Served, hash = '#/exports'): Promise<void> {
  await page.goto(served.tokenUrl);
  await expect(page.getByTestId('connection-status')).toHaveText(/Connected/);
  if (hash) await page.evaluate((h) => (window.location.hash = h), hash);
}

/** A screenshot in light and in dark (the system theme, as the app follows it by default). */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Lets transitions and the next live update settle before the picture.
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${SCREENS_DIR}/${name}-${scheme}.png` });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
