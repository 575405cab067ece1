// The window as a queue from the keyboard: the empty state names the demo dataset, shortcuts
// ("/", "n", "?"), Escape returning focus to what opened a menu, and a running export's row.
import { expect, startServe, test } from './serve-fixture.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

test('empty list names the leads dataset; shortcuts and Escape keep the keyboard in place', async ({
  page,
}) => {
  const served = await startServe([], {}, { demoRows: 2000 });
  try {
    const errors = watchErrors(page);
    await signIn(page, served);
    await expect(page.getByText('No exports yet')).toBeVisible();
    await expect(page.locator('.empty')).toContainText('leads');
    await shoot(page, 'exports-empty');

    // "?" lists the shortcuts; Escape closes the list.
    await page.locator('body').press('?');
    await expect(page.getByTestId('shortcuts')).toContainText('New export');
    await shoot(page, 'shortcuts');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('shortcuts')).toHaveCount(0);

    // "n" opens the new-export form; "/" comes back to the list with the search focused.
    await page.locator('body').press('n');
    await expect(page.getByRole('form', { name: 'New export' })).toBeVisible();
    await page.getByLabel('Name', { exact: true }).fill('Queue check');
    await page.getByRole('button', { name: 'Create export' }).click();
    await expect(page.locator('.detail-title')).toContainText('Completed', { timeout: 30_000 });
    await page.locator('body').press('/');
    await expect(page.getByLabel('Search exports by name')).toBeFocused();

    // Escape closes the row menu and gives the focus back to its button.
    const more = page.getByRole('button', { name: 'More actions for Queue check' });
    await more.click();
    await expect(page.getByRole('menu')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('menu')).toHaveCount(0);
    await expect(more).toBeFocused();
    // The toolbar counts it; typing in the search box is not a shortcut.
    await expect(page.getByTestId('exports-summary')).toContainText('1 export');
    await page.getByLabel('Search exports by name').fill('n?');
    await expect(page.getByRole('form', { name: 'New export' })).toHaveCount(0);
    await expect(page.getByTestId('shortcuts')).toHaveCount(0);
    // At 1024×700 and at 800 px the row's actions stay on screen; columns give way instead.
    await page.getByLabel('Search exports by name').fill('');
    for (const [width, height] of [
      [1024, 700],
      [800, 600],
    ] as const) {
      await page.setViewportSize({ width, height });
      const box = await more.boundingBox();
      expect(box && box.x + box.width).toBeLessThanOrEqual(width);
      await shoot(page, `exports-${width}`);
    }
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
  }
});
