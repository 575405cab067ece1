// The export detail page: one action bar (the action the state calls for, the rest in "More"),
// the request in words with the provider's name, and a canceled export that says so and shows
// no stale rows or bytes.
import { startVendorFake } from '../fixtures/vendors/vendor-fake.ts';
import { expect, test, type Served } from './serve-fixture.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

type Created = { data: { id: string } };

/** A DataDriver export that stays running (the fake never finishes it) until it is canceled. */
async function slowVendorExport(served: Served, name: string) {
  const fake = await startVendorFake({ vendor: 'datadriver', rows: 300, pollsUntilDone: 100_000 });
  const provider = await served.api<Created>('POST', '/v1/providers', {
    name: 'DataDriver account',
    type: 'datadriver',
    base_url: fake.url,
    credential: fake.token,
  });
  const made = await served.api<Created>('POST', '/v1/exports', {
    provider: provider.body.data.id,
    params: {},
    name,
  });
  return { fake, providerId: provider.body.data.id, exportId: made.body.data.id };
}

test('a completed export: Download, everything else in one menu, the request in words', async ({
  page,
  served,
}) => {
  const errors = watchErrors(page);
  const made = await served.api<Created>('POST', '/v1/exports', {
    dataset: 'leads',
    name: 'Texas leads',
    columns: ['id', 'email', 'state'],
    filter: { where: [{ column: 'state', op: 'in', value: ['TX', 'CA'] }] },
  });
  await signIn(page, served, `#/exports/${made.body.data.id}`);
  await expect(page.locator('.detail-title')).toContainText('Completed', { timeout: 30_000 });
  await expect(page.getByTestId('request-summary')).toHaveText(
    'leads · state is TX or CA · columns id, email, state · CSV, gzip',
  );
  const bar = page.getByRole('group', { name: 'Actions for this export' });
  await expect(bar.getByRole('link', { name: 'Download' })).toBeVisible();
  // The bar is one line under the title at both widths; the rest waits in the menu.
  for (const [width, height] of [
    [1280, 800],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    const buttons = bar.locator('a, button');
    await expect(buttons).toHaveCount(2);
    const ys = await buttons.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().top));
    expect(new Set(ys).size).toBe(1);
    await shoot(page, `export-detail-${width}`);
  }
  await bar.getByRole('button', { name: 'More actions for Texas leads' }).click();
  await expect(page.getByRole('menuitem')).toHaveText([
    'Save as…',
    'Copy download link',
    'Copy API link',
    'Recreate',
    'Repeat on a schedule…',
    'Delete',
  ]);
  await page.keyboard.press('Escape');
  // The JSON stays one click away, for the API.
  await page.getByText('As the API takes it (JSON)').click();
  await expect(page.getByLabel('The request as JSON')).toContainText('"dataset": "leads"');
  expect(errors).toEqual([]);
});

test('a running vendor export offers Cancel; once canceled it says so, with no stale counts', async ({
  page,
  served,
}) => {
  const { fake, providerId, exportId } = await slowVendorExport(served, 'Slow vendor leads');
  try {
    const errors = watchErrors(page);
    await signIn(page, served, `#/exports/${exportId}`);
    await expect(page.locator('.detail-title')).toContainText(/Queued|Running/);
    await expect(page.getByTestId('request-summary')).toHaveText(
      'DataDriver account · no parameters',
    );
    expect(await page.getByTestId('request-summary').textContent()).not.toContain(providerId);
    const bar = page.getByRole('group', { name: 'Actions for this export' });
    const cancel = bar.getByRole('button', { name: 'Cancel' });
    await expect(cancel).not.toHaveClass(/primary/);
    await cancel.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel export' }).click();
    await expect(page.locator('.detail-title')).toContainText('Canceled');
    await expect(page.getByTestId('expiry-banner')).toContainText('This export was canceled');
    await expect(page.getByRole('heading', { name: 'Progress' })).toHaveCount(0);
    await expect(page.getByText('No file.')).toBeVisible();
    await expect(bar.getByRole('button', { name: 'Recreate' })).toHaveClass(/primary/);
    await shoot(page, 'export-detail-canceled');
    // In the list, the canceled row shows no partial rows or bytes either.
    await page.getByRole('link', { name: '← All exports' }).click();
    const row = page.getByTestId('export-row').filter({ hasText: 'Slow vendor leads' });
    await expect(row).toContainText('Canceled');
    await expect(row.locator('.col-rows')).toHaveText('—');
    expect(errors).toEqual([]);
  } finally {
    await fake.stop();
  }
});

test('relative times tick on their own: "just now" becomes "2 minutes ago" without a reload', async ({
  page,
  served,
}) => {
  const errors = watchErrors(page);
  await served.api('POST', '/v1/providers', {
    name: 'Ticking vendor',
    type: 'datadriver',
    base_url: 'http://127.0.0.1:9',
    credential: 'not-a-real-credential',
  });
  await page.clock.install({ time: new Date() });
  await signIn(page, served, '#/providers');
  const card = page.getByTestId('provider').filter({ hasText: 'Ticking vendor' });
  await expect(card).toContainText('added just now');
  await page.clock.fastForward('02:05');
  await expect(card).toContainText('added 2 minutes ago');
  expect(errors).toEqual([]);
});

test('an export that changes before the live stream opens is read again when it opens', async ({
  page,
  served,
}) => {
  const { fake, exportId } = await slowVendorExport(served, 'Changed while offline');
  try {
    // The stream is held back until the export has changed: its event goes to nobody.
    let release = () => {};
    const released = new Promise<void>((r) => (release = r));
    await page.route('**/v1/events**', async (route) => {
      await released;
      await route.continue();
    });
    await signIn(page, served, `#/exports/${exportId}`);
    await expect(page.locator('.detail-title')).toContainText(/Queued|Running/);
    const canceled = await served.api('POST', `/v1/exports/${exportId}/cancel`);
    expect(canceled.status).toBeLessThan(300);
    release();
    await expect(page.locator('.detail-title')).toContainText('Canceled');
  } finally {
    await fake.stop();
  }
});
