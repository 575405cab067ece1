// The exports screens in a real browser against a real `serve`: a local export from the form to
// its file, a failed export's words, the API's validation errors inline, 10,000 rows in the table.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, startServe, test } from './serve-fixture.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

test('a local export from the form: progress while it runs, completed, downloaded', async ({
  page,
}) => {
  const served = await startServe([], {}, { demoRows: 600_000 });
  try {
    const errors = watchErrors(page);
    await signIn(page, served, '#/exports/new');
    await expect(page.getByRole('form', { name: 'New export' })).toBeVisible();
    await page.getByLabel('Name', { exact: true }).fill('All leads');
    await shoot(page, 'new-export');
    await page.getByRole('button', { name: 'Create export' }).click();

    // The detail page follows the export live: a progress bar with its stage, then completed.
    await expect(page.getByRole('progressbar', { name: 'Progress of All leads' })).toBeVisible();
    await expect(page.locator('.detail-title')).toContainText('Completed', { timeout: 30_000 });
    await expect(page.getByRole('cell', { name: 'all-leads.csv.gz' })).toBeVisible();
    await shoot(page, 'export-detail');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('all-leads.csv.gz');
    const text = gunzipSync(readFileSync((await download.path())!)).toString('utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(600_001);

    // Back in the table: the row, its status in words, its actions.
    await page.getByRole('link', { name: '← All exports' }).click();
    const row = page.getByTestId('export-row').filter({ hasText: 'All leads' });
    await expect(row).toContainText('Completed');
    await row.getByRole('button', { name: 'More actions for All leads' }).click();
    await expect(page.getByRole('menuitem', { name: 'Save as…' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('menu')).toHaveCount(0);
    await shoot(page, 'exports');

    // Delete asks first; "Keep it" keeps it.
    await row.getByRole('button', { name: 'More actions for All leads' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await expect(page.getByRole('dialog', { name: 'Delete this export?' })).toBeVisible();
    await shoot(page, 'confirm-delete');
    await page.getByRole('button', { name: 'Keep it' }).click();
    await expect(row).toHaveCount(1);
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
  }
});

test('every mistake shows at once next to its field; an API error next to the field it names', async ({
  page,
  served,
}) => {
  const errors = watchErrors(page);
  await signIn(page, served, '#/exports/new');
  const form = page.getByRole('form', { name: 'New export' });
  await page.getByRole('button', { name: 'Add a condition' }).click();
  await page.getByRole('button', { name: 'Add a condition' }).click();
  await page.getByLabel('Condition 1 column').selectOption('score');
  await page.getByLabel('Condition 1 operator').selectOption('gt');
  await page.getByLabel('Condition 1 value').fill('not a number');
  await page.getByLabel('Condition 2 column').selectOption('state');
  await page.getByLabel('Also save a copy in').fill('relative/folder');
  await page.getByRole('button', { name: 'Create export' }).click();
  // Three mistakes, three messages, each beside its own field, before anything is sent.
  await expect(form.getByRole('alert')).toHaveCount(3);
  await expect(page.getByLabel('Condition 1 value')).toHaveAccessibleDescription(
    /score holds numbers/,
  );
  await expect(page.getByLabel('Condition 2 value')).toHaveAccessibleDescription(/Give a value/);
  await expect(form.locator('.field').filter({ hasText: 'Also save a copy in' })).toContainText(
    /full path/,
  );
  await shoot(page, 'new-export-invalid');

  // Fixed; the API now refuses a 201-character name, and says so under Name (from details, not words).
  await page.getByLabel('Condition 1 value').fill('10');
  await page.getByLabel('Condition 2 value').fill('TX');
  await page.getByLabel('Also save a copy in').fill('');
  await page.getByLabel('Name', { exact: true }).fill('x'.repeat(201));
  await page.getByRole('button', { name: 'Create export' }).click();
  await expect(form.getByRole('alert')).toHaveCount(1);
  await expect(form.locator('.field').filter({ hasText: 'Also the file name' })).toContainText(
    /name/,
  );
  // Nothing was created.
  const list = await served.api<{ data: unknown[] }>('GET', '/v1/exports');
  expect(list.body.data).toHaveLength(0);
  // The browser logs the 400 answer itself; nothing else may be logged.
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
});

test('a failed export says why in words, with the engine’s own message underneath', async ({
  page,
}) => {
  const served = await startServe(['--max-rows', '100']);
  try {
    const errors = watchErrors(page);
    await signIn(page, served);
    const created = await served.api<{ data: { id: string } }>('POST', '/v1/exports', {
      dataset: 'leads',
      name: 'too broad',
    });
    const row = page.getByTestId('export-row').filter({ hasText: 'too broad' });
    await expect(row).toContainText('Failed');
    await row.getByRole('link', { name: 'too broad' }).click();
    await expect(page).toHaveURL(new RegExp(`#/exports/${created.body.data.id}`));
    const box = page.locator('.error-box');
    await expect(box).toContainText('Too many rows match this request');
    await expect(box).toContainText('QUERY_TOO_BROAD');
    await shoot(page, 'export-failed');
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
  }
});

test('10,000 exports: the table renders only what shows, scrolls to the end, and filters', async ({
  page,
}) => {
  // Seed 10,000 finished exports straight into a stopped engine's store, then start it again.
  const first = await startServe([], {}, { keepData: true });
  await first.stop();
  const db = new Database(join(first.dataDir, 'export-manager.sqlite'));
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    INSERT INTO exports (id, name, status, source_type, dataset, request_json, format, compression,
      compression_level, progress_pct, progress_stage, row_count, error_json, created_at, updated_at)
    SELECT printf('01900000-0000-7000-8000-%012d', i), printf('bulk %05d', i),
      CASE i % 3 WHEN 0 THEN 'failed' WHEN 1 THEN 'expired' ELSE 'canceled' END,
      'dataset', 'leads', '{"dataset":"leads"}', 'csv', 'gzip', 6, 100, 'done', 1000,
      CASE i % 3 WHEN 0 THEN '{"code":"QUERY_TOO_BROAD","message":"Too many rows."}' END,
      1700000000000 + i * 1000, 1700000000000 + i * 1000
    FROM n;
  `);
  db.close();
  const served = await startServe([], {}, { dataDir: first.dataDir });
  try {
    const errors = watchErrors(page);
    await signIn(page, served);
    await expect(page.getByTestId('exports-summary')).toContainText('10,000 exports', {
      timeout: 30_000,
    });
    // The count can arrive before the first page is drawn: wait for the rows, then count them.
    await expect(page.getByTestId('export-row').first()).toContainText('bulk 10000');
    await expect.poll(() => page.getByTestId('export-row').count()).toBeGreaterThan(5);
    expect(await page.getByTestId('export-row').count()).toBeLessThan(60);

    // Pages come from the server as the table scrolls: never the whole history at once.
    const scroller = page.getByTestId('exports-scroll');
    await expect
      .poll(async () => {
        await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
        const names = await page.getByTestId('export-row').locator('.row-link').allTextContents();
        return Math.min(...names.map((n) => Number(n.replace('bulk ', ''))));
      })
      .toBeLessThan(9750);
    expect(await page.getByTestId('export-row').count()).toBeLessThan(60);
    await shoot(page, 'exports-10k');

    // Oldest first, from the server: the very first export heads the list.
    await page.getByLabel('Sort').selectOption('created_asc');
    await expect(page.getByTestId('export-row').first()).toContainText('bulk 00001');

    await page.getByLabel('Filter by status').selectOption('failed');
    await expect(page.getByTestId('exports-summary')).toContainText('3,333 of 10,000');
    await page.getByLabel('Search exports by name').fill('bulk 0999');
    await expect(page.getByTestId('exports-summary')).toContainText('4 of 10,000');
    await expect(page.getByTestId('export-row')).toHaveCount(4);
    // The filters live in the URL: a reload keeps them.
    expect(page.url()).toContain('status=failed');
    await page.reload();
    await expect(page.getByTestId('exports-summary')).toContainText('4 of 10,000');
    await expect(page.getByLabel('Search exports by name')).toHaveValue('bulk 0999');
    await expect(page.getByLabel('Sort')).toHaveValue('created_asc');
    await page.getByLabel('Search exports by name').fill('no such export');
    await expect(page.getByText('No export matches these filters.')).toBeVisible();

    // Compact density shows at least 20 rows at 1280×800.
    await page.getByLabel('Search exports by name').fill('');
    await page.getByLabel('Filter by status').selectOption('all');
    await page.getByLabel('Density').selectOption('compact');
    await expect(page.getByTestId('export-row').first()).toBeVisible();
    const visible = await page.getByTestId('exports-scroll').evaluate((el) => {
      const box = el.getBoundingClientRect();
      return Array.from(el.querySelectorAll('[data-testid="export-row"]')).filter((r) => {
        const b = r.getBoundingClientRect();
        return b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
      }).length;
    });
    expect(visible).toBeGreaterThanOrEqual(20);
    await shoot(page, 'exports-compact');

    // Multi-select: two rows, the bulk bar offers what applies to them; Delete asks first.
    await page.getByLabel('Select bulk 00001').check();
    await page.getByLabel('Select bulk 00003').check();
    const bar = page.getByTestId('bulk-bar');
    await expect(bar).toContainText('2 selected');
    await expect(bar.getByRole('button', { name: 'Retry (1)' })).toBeEnabled();
    await expect(bar.getByRole('button', { name: 'Cancel (0)' })).toBeDisabled();
    await bar.getByRole('button', { name: 'Delete (2)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete 2 exports?' });
    await expect(dialog).toBeVisible();
    // The safe answer has the focus, never the destructive one.
    await expect(dialog.getByRole('button', { name: 'Keep it' })).toBeFocused();
    await shoot(page, 'exports-bulk');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(page.getByTestId('exports-summary')).toContainText('9,998 exports');
    await expect(page.getByTestId('export-row').filter({ hasText: 'bulk 00001' })).toHaveCount(0);
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
  }
});
