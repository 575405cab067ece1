// Every screen as a new user first meets it (empty), a dataset imported from the window with its
// progress, settings saved (theme, keys), and the keyboard reaching every action.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, startServe, test } from './serve-fixture.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

test('empty states: each screen says what it is for and offers the first step', async ({
  page,
}) => {
  const served = await startServe([], {}, { demoRows: 0 });
  try {
    const errors = watchErrors(page);
    await signIn(page, served);
    const cases: [string, string, string][] = [
      ['#/exports', 'No exports yet', 'Create your first export'],
      ['#/exports/new', 'Nothing to export yet', 'Import a dataset'],
      ['#/datasets', 'No datasets yet', 'Import a file'],
      ['#/providers', 'No providers yet', 'Add a provider'],
      ['#/schedules', 'No schedules yet', 'New schedule'],
    ];
    for (const [hash, title, action] of cases) {
      await page.evaluate((h) => (window.location.hash = h), hash);
      await expect(page.getByRole('heading', { name: title })).toBeVisible();
      await expect(page.getByRole('status').getByText(action).first()).toBeVisible();
      await shoot(page, `empty-${hash.slice(2).replace('/', '-')}`);
    }
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
  }
});

test('import a dataset from a path: progress, then its columns and rows, ready to export', async ({
  page,
}) => {
  const served = await startServe([], {}, { demoRows: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'em-e2e-csv-'));
  try {
    const errors = watchErrors(page);
    const rows = ['id,created_at,email,amount'];
    for (let i = 1; i <= 50_000; i++)
      rows.push(
        `${i},2026-01-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z,u${i}@x.io,${i / 4}`,
      );
    const file = join(dir, 'Orders 2026.csv');
    writeFileSync(file, rows.join('\n') + '\n');

    await signIn(page, served, '#/datasets');
    await page.getByRole('button', { name: 'Import a file' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Import a dataset' });
    await dialog.getByLabel('File').fill(file);
    await dialog.getByLabel('File').blur();
    await expect(dialog.getByLabel('Dataset name')).toHaveValue('Orders_2026');
    await dialog.getByLabel('Indexed columns').fill('email');
    await shoot(page, 'dataset-import');
    await dialog.getByRole('button', { name: 'Import' }).click();
    const card = page.getByTestId('dataset').filter({ hasText: 'Orders_2026' });
    await expect(card).toContainText('Ready', { timeout: 30_000 });
    await expect(card).toContainText('50,000 rows');
    await expect(card).toContainText('time column created_at');
    await expect(card.getByText('amount')).toBeVisible();
    await expect(card.getByTitle('text, indexed')).toContainText('email');
    await shoot(page, 'datasets');

    // A file that is not there: the error says so, nothing is half imported.
    await page.getByRole('button', { name: 'Import a file' }).click();
    await dialog.getByLabel('File').fill(join(dir, 'missing.csv'));
    await dialog.getByLabel('Dataset name').fill('missing');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect(dialog.getByRole('alert')).toContainText(/missing\.csv/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('dataset')).toHaveCount(1);

    await card.getByRole('button', { name: 'Export…' }).click();
    await expect(page.getByLabel('Dataset', { exact: true })).toHaveValue('Orders_2026');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  } finally {
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('settings: theme, link lifetime and API keys (shown once, copied, revoked)', async ({
  page,
  served,
}) => {
  const errors = watchErrors(page);
  await signIn(page, served, '#/settings');
  await shoot(page, 'settings');
  await page.getByLabel('Download links work for (minutes)').fill('30');
  // The theme applies and is saved the moment it is picked, without "Save settings".
  await page.getByText('Dark', { exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect
    .poll(
      async () =>
        (await served.api<{ data: { theme: string } }>('GET', '/v1/settings')).body.data.theme,
    )
    .toBe('dark');
  // The other fields kept what was typed, and save as usual.
  await expect(page.getByLabel('Download links work for (minutes)')).toHaveValue('30');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  const settings = await served.api<{ data: { url_ttl_seconds: number; theme: string } }>(
    'GET',
    '/v1/settings',
  );
  expect(settings.body.data).toMatchObject({ url_ttl_seconds: 1800, theme: 'dark' });
  // A reload paints dark from the first frame: before the engine has even answered for settings.
  let releaseSettings = () => {};
  const held = new Promise<void>((r) => (releaseSettings = r));
  await page.route('**/v1/settings', async (route) => {
    await held;
    await route.continue();
  });
  await page.reload({ waitUntil: 'commit' });
  await page.waitForSelector('#root');
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  releaseSettings();
  await expect(page.getByRole('button', { name: 'New key' })).toBeVisible();

  await page.getByRole('button', { name: 'New key' }).click();
  const dialog = page.getByRole('dialog', { name: 'New API key' });
  await dialog.getByLabel('What is it for?').fill('nightly script');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const key = await dialog.getByLabel('The new API key').inputValue();
  expect(key).toMatch(/^em_/);
  await page.screenshot({ path: 'test-results/screens/settings-new-key-dark.png' });
  await dialog.getByRole('button', { name: 'Done' }).click();
  // The key works for a local tool, and is never shown again.
  const res = await fetch(`${served.url}/v1/exports`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(res.status).toBe(200);
  expect(await page.content()).not.toContain(key);

  await page.getByRole('button', { name: 'Revoke nightly script' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
  await expect(page.getByRole('cell', { name: 'nightly script' })).toHaveCount(0);
  const after = await fetch(`${served.url}/v1/exports`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(after.status).toBe(401);

  // Back to following the system.
  await page.getByText('Follow the system').click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.*/);
  expect(errors).toEqual([]);
});

test('keyboard: skip link, visible focus, menus and dialogs without a mouse', async ({
  page,
  served,
}) => {
  const errors = watchErrors(page);
  await served.api('POST', '/v1/exports', { dataset: 'leads', name: 'keyboard leads' });
  await signIn(page, served);
  await expect(page.getByTestId('export-row')).toContainText('Completed');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  // The row's menu: open with Enter, move with arrows, close with Escape; focus returns.
  const more = page.getByRole('button', { name: 'More actions for keyboard leads' });
  await more.focus();
  const outline = await more.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem').first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem').nth(1)).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(more).toBeFocused();
  // Delete through the keyboard, with its confirmation.
  await page.keyboard.press('Enter');
  await page.getByRole('menuitem', { name: 'Delete' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Delete this export?' })).toBeVisible();
  // The safe answer has the focus; the destructive one is a deliberate Tab away.
  await expect(page.getByRole('button', { name: 'Keep it' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Delete', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'No exports yet' })).toBeVisible();
  expect(errors).toEqual([]);
});
