// The exports table with real (non-overlay) scrollbars, as on Windows and most Linux desktops: the
// body scrolls under a header that has none, and their columns must still line up.
import { join } from 'node:path';
import Database from 'better-sqlite3';
// @ts-expect-error: a plain .mjs helper shared with the test runner script.
import { CHROMIUM_ARGS, findBrowser } from './browser.mjs';
import { expect, startServe, test } from './serve-fixture.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

test.use({
  launchOptions: {
    executablePath: (findBrowser() as string | undefined | null) ?? undefined,
    args: CHROMIUM_ARGS as string[],
    // Headless Chromium hides scrollbars by default; a desktop shows them and they take room.
    ignoreDefaultArgs: ['--hide-scrollbars'],
  },
});

test('header and rows line up while the body shows a scrollbar, at 1280 and 1024 px', async ({
  page,
}) => {
  const first = await startServe([], {}, { keepData: true, demoRows: 10 });
  await first.stop();
  const db = new Database(join(first.dataDir, 'export-manager.sqlite'));
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
    INSERT INTO exports (id, name, status, source_type, dataset, request_json, format, compression,
      compression_level, progress_pct, progress_stage, row_count, error_json, created_at, updated_at)
    SELECT printf('01900000-0000-7000-8000-%012d', i), printf('scroll %03d', i), 'canceled',
      'dataset', 'leads', '{"dataset":"leads"}', 'csv', 'gzip', 6, 100, 'done', 1000, NULL,
      1700000000000 + i * 1000, 1700000000000 + i * 1000
    FROM n;
  `);
  db.close();
  const served = await startServe([], {}, { dataDir: first.dataDir });
  try {
    const errors = watchErrors(page);
    await signIn(page, served);
    await expect(page.getByTestId('export-row').first()).toContainText('scroll 300');
    for (const [width, height] of [
      [1280, 800],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      const edges = await page.evaluate(() => {
        const rights = (row: Element | null) =>
          Array.from(row?.children ?? []).map((c) => Math.round(c.getBoundingClientRect().right));
        const scroller = document.querySelector<HTMLElement>('[data-testid="exports-scroll"]')!;
        return {
          head: rights(document.querySelector('.grid-head')),
          row: rights(document.querySelector('[data-testid="export-row"]')),
          scrollbar: scroller.offsetWidth - scroller.clientWidth,
        };
      });
      expect(edges.scrollbar).toBeGreaterThan(0);
      expect(edges.row).toEqual(edges.head);
      await shoot(page, `exports-scrollbar-${width}`);
    }
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
  }
});

test('every screen fits an 800 px window: nothing scrolls sideways, actions stay on screen', async ({
  page,
  served,
}) => {
  const errors = watchErrors(page);
  const made = await served.api<{ data: { id: string } }>('POST', '/v1/exports', {
    dataset: 'leads',
    name: 'Narrow window leads',
  });
  await served.api('POST', '/v1/providers', {
    name: 'A vendor with a rather long account name',
    type: 'datadriver',
    base_url: 'http://127.0.0.1:9',
    credential: 'not-a-real-credential',
  });
  await served.api('POST', '/v1/schedules', {
    name: 'Nightly leads for the sales team',
    request: { dataset: 'leads' },
    every_seconds: 86_400,
  });
  await page.setViewportSize({ width: 800, height: 600 });
  await signIn(page, served);
  for (const [name, hash] of [
    ['exports', '#/exports'],
    ['export-detail', `#/exports/${made.body.data.id}`],
    ['new-export', '#/exports/new?dataset=leads'],
    ['datasets', '#/datasets'],
    ['providers', '#/providers'],
    ['schedules', '#/schedules'],
    ['settings', '#/settings'],
  ]) {
    await page.evaluate((h) => (window.location.hash = h), hash);
    await expect(page.locator('#content')).not.toContainText('Loading');
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() => {
      const visible = document.documentElement.clientWidth;
      const wide = Array.from(document.querySelectorAll<HTMLElement>('#content *')).filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > visible + 1 && !el.closest('[role="menu"]');
      });
      return {
        page: Math.max(0, document.documentElement.scrollWidth - visible),
        elements: wide.slice(0, 5).map((el) => `${el.tagName}.${el.className}`),
      };
    });
    expect({ hash, ...overflow }).toEqual({ hash, page: 0, elements: [] });
    await shoot(page, `narrow-${name}`);
  }
  expect(errors).toEqual([]);
});
