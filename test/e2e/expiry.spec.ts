// Expiry from the window: a vendor export that expired at the vendor comes back by itself and its
// page says why; an expired local export has a Recreate button on its row, and both ends link up.
import { expect, startServe, test } from './serve-fixture.ts';
import { startVendorFake } from '../fixtures/vendors/vendor-fake.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

interface Created {
  data: { id: string };
}

test('a vendor export expired at the vendor: re-created by itself, the timeline and banner say so', async ({
  page,
  served,
}) => {
  test.setTimeout(90_000);
  const fake = await startVendorFake({
    vendor: 'datadriver',
    scenario: 'expires-after-ready',
    rows: 300,
    pollsUntilDone: 1,
  });
  try {
    const errors = watchErrors(page);
    const provider = await served.api<Created>('POST', '/v1/providers', {
      name: 'DataDriver',
      type: 'datadriver',
      base_url: fake.url,
      credential: fake.token,
    });
    const exp = await served.api<Created>('POST', '/v1/exports', {
      provider: provider.body.data.id,
      name: 'Expiring leads',
    });
    await signIn(page, served, `#/exports/${exp.body.data.id}`);
    await expect(page.locator('.detail-title')).toContainText('Completed', { timeout: 60_000 });
    const steps = page.getByTestId('timeline-step');
    await expect(steps).toHaveCount(2);
    await expect(steps.nth(0)).toContainText('DataDriver expired its export');
    await expect(steps.nth(1)).toContainText('The vendor expired this export; re-created as');
    await expect(page.getByTestId('expiry-banner')).toContainText(
      'Export Manager re-created it there once by itself',
    );
    await shoot(page, 'export-detail-recreated');
    expect(errors).toEqual([]);
  } finally {
    await fake.stop();
  }
});

test('an expired local export: Recreate on its row, then both exports link to each other', async ({
  page,
}) => {
  const served = await startServe(['--retention', '2']);
  try {
    const errors = watchErrors(page);
    const exp = await served.api<Created>('POST', '/v1/exports', {
      dataset: 'leads',
      name: 'Short-lived',
    });
    await signIn(page, served);
    const row = page.getByTestId('export-row').filter({ hasText: 'Short-lived' });
    await expect(row).toContainText('Expired', { timeout: 30_000 });
    await shoot(page, 'exports-expired-row');
    await row.getByRole('button', { name: 'Recreate Short-lived' }).click();
    // The new export opens, saying where it came from.
    await expect(page.getByTestId('expiry-banner')).toContainText('Re-created from');
    await expect(page.locator('.detail-title')).not.toContainText('Expired');
    await page.evaluate((id) => (window.location.hash = `#/exports/${id}`), exp.body.data.id);
    await expect(page.getByTestId('expiry-banner')).toContainText('It was re-created as');
    await expect(page.getByTestId('timeline-step')).toContainText('Re-created as');
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
  }
});
