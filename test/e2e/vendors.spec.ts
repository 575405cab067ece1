// A vendor from the window: add a provider against a vendor fake, test it, export from it, then
// repeat that export on a schedule and watch the schedule fire, all in a real browser.
import { expect, test } from './serve-fixture.ts';
import { startVendorFake } from '../fixtures/vendors/vendor-fake.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

test('add a provider, see its remote export complete, repeat it on a schedule that fires', async ({
  page,
  served,
}) => {
  test.setTimeout(120_000);
  const fake = await startVendorFake({ vendor: 'datadriver', rows: 300, pollsUntilDone: 1 });
  try {
    const errors = watchErrors(page);
    await signIn(page, served, '#/providers');
    await expect(page.getByRole('heading', { name: 'No providers yet' })).toBeVisible();
    await shoot(page, 'providers-empty');

    await page.getByRole('button', { name: 'Add a provider' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a provider' });
    await dialog.getByLabel('Name').fill('DataDriver account');
    await dialog.getByLabel('API address').fill(fake.url);
    await dialog.getByLabel('Credential').fill(fake.token);
    await shoot(page, 'provider-add');
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    const card = page.getByTestId('provider').filter({ hasText: 'DataDriver account' });
    await expect(card).toContainText('credential stored');
    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect(card.getByTestId('provider-test')).toContainText('✓ Connected');
    await shoot(page, 'providers');

    // Export from it: the vendor's example body is prefilled in the JSON editor.
    await card.getByRole('button', { name: 'Export…' }).click();
    const params = page.getByLabel(/Parameters/);
    await expect(params).toHaveValue(/"filter"/);
    await page.getByLabel('Name', { exact: true }).fill('Vendor leads');
    await shoot(page, 'new-export-vendor');
    await page.getByRole('button', { name: 'Create export' }).click();
    await expect(page.locator('.detail-title')).toContainText('Completed', { timeout: 60_000 });
    await expect(page.getByText('Vendor export id')).toBeVisible();
    await expect(page.getByRole('cell', { name: /\.csv\.gz$/ })).toBeVisible();
    await shoot(page, 'export-detail-vendor');

    // Repeat it every 3 seconds: the preview says so in words, and the schedule fires.
    await page.getByRole('button', { name: 'More actions for Vendor leads' }).click();
    await page.getByRole('menuitem', { name: 'Repeat on a schedule…' }).click();
    await expect(page.getByRole('form', { name: 'New schedule' })).toBeVisible();
    await page.getByLabel('Every', { exact: true }).fill('3');
    await page.getByLabel('Unit').selectOption('1');
    await expect(page.getByTestId('schedule-preview')).toContainText(/every 3 seconds/i);
    await shoot(page, 'schedule-new');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await expect(page.getByRole('heading', { name: 'History' })).toBeVisible();
    const runs = page.getByRole('table', { name: /Runs of/ });
    await expect(runs.getByText('Completed').first()).toBeVisible({ timeout: 60_000 });
    await shoot(page, 'schedule-detail');

    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.locator('.detail-title')).toContainText('Paused');
    await page.getByRole('link', { name: '← All schedules' }).click();
    await expect(page.getByTestId('schedule')).toContainText('every 3 seconds');
    await shoot(page, 'schedules');

    // The credential was entered once and is shown nowhere.
    expect(await page.content()).not.toContain(fake.token);
    expect(errors).toEqual([]);
  } finally {
    await fake.stop();
  }
});

test('a wrong credential is caught in the dialog; the health chip stays after leaving', async ({
  page,
  served,
}) => {
  const fake = await startVendorFake({ vendor: 'datadriver', rows: 10 });
  try {
    const errors = watchErrors(page);
    await signIn(page, served, '#/providers');
    await page.getByRole('button', { name: 'Add a provider' }).first().click();
    const add = page.getByRole('dialog', { name: 'Add a provider' });
    await add.getByLabel('Name').fill('Wrong key');
    await add.getByLabel('API address').fill(fake.url);
    await add.getByLabel('Credential').fill('not-the-token');
    // A value the API refuses shows under its own field (placed from the error's path).
    await add.getByLabel('Requests per second at most').fill('5000');
    await add.getByRole('button', { name: 'Add provider' }).click();
    await expect(
      add.locator('.field').filter({ hasText: 'Requests per second at most' }).getByRole('alert'),
    ).toContainText('requests_per_second');
    await expect(page.getByTestId('provider')).toHaveCount(0);
    await add.getByLabel('Requests per second at most').fill('');
    await add.getByRole('button', { name: 'Add provider' }).click();
    // The dialog stays, with the vendor's answer where the user is looking.
    const edit = page.getByRole('dialog', { name: 'Edit Wrong key' });
    await expect(edit.getByTestId('provider-dialog-test')).toContainText(
      'Saved, but the connection test failed',
    );
    await expect(edit.getByTestId('provider-dialog-test')).toContainText('HTTP 401');
    await shoot(page, 'provider-test-failed');
    // Fixed in place: saved again (no second provider), tested, closed.
    await edit.getByLabel('Replace the credential').fill(fake.token);
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit).toHaveCount(0);
    await expect(page.getByTestId('provider')).toHaveCount(1);
    const card = page.getByTestId('provider').filter({ hasText: 'Wrong key' });
    await expect(card.getByTestId('provider-health')).toContainText('Working · tested just now');
    // The result is still there after leaving the screen and after a reload.
    await page.evaluate(() => (window.location.hash = '#/exports'));
    await page.evaluate(() => (window.location.hash = '#/providers'));
    await expect(card.getByTestId('provider-test')).toContainText('✓ Connected');
    await page.reload();
    await expect(card.getByTestId('provider-health')).toContainText('Working');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  } finally {
    await fake.stop();
  }
});
