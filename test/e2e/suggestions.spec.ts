// The new-export form asks the dataset while the user types: a condition's value field suggests the
// column's own values (picked by keyboard), the rows matched show under the filters, and a filter
// that matches nothing warns with the column's real values and asks before creating.
import { expect, startServe, test } from './serve-fixture.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

test('values suggested by keyboard, rows counted, a zero-match warning and a confirm step', async ({
  page,
}) => {
  const served = await startServe([], {}, { demoRows: 2000 });
  try {
    const errors = watchErrors(page);
    await signIn(page, served, '#/exports/new?dataset=leads');
    await expect(page.getByRole('form', { name: 'New export' })).toBeVisible();
    await expect(page.getByText('Matches 2,000 of 2,000 rows')).toBeVisible();
    await page.getByRole('button', { name: 'Add a condition' }).click();
    await page.getByLabel('Condition 1 column').selectOption('state');
    await page.getByLabel('Condition 1 operator').selectOption('in');

    // Typing "t" lists the states starting with T, most frequent first, each with its rows.
    const value = page.getByRole('combobox', { name: 'Condition 1 value' });
    await value.fill('t');
    const list = page.getByRole('listbox', { name: 'Values of state' });
    await expect(list).toBeVisible();
    await expect(value).toHaveAttribute('aria-expanded', 'true');
    const options = list.getByRole('option');
    await expect(options).toHaveText([/^TX\s*[\d,]+ rows$/, /^TN\s*[\d,]+ rows$/]);
    await shoot(page, 'new-export-suggestions');

    // Arrow down marks the first, Enter picks it; the focus never leaves the field.
    await value.press('ArrowDown');
    await expect(options.first()).toHaveAttribute('aria-selected', 'true');
    await expect(value).toHaveAttribute('aria-activedescendant', /value-0$/);
    await value.press('Enter');
    await expect(value).toHaveValue('TX');
    await expect(list).toBeHidden();
    await expect(value).toBeFocused();
    await expect(page).toHaveURL(/#\/exports\/new/);

    // In a list a pick adds a value; TX is not offered twice.
    await value.press('End');
    await value.pressSequentially(', c');
    await expect(options.first()).toBeVisible();
    await expect(list).not.toContainText('TX');
    const firstC = ((await options.first().locator('.value-text').textContent()) ?? '').trim();
    expect(firstC).toMatch(/^C/);
    await value.press('ArrowDown');
    await value.press('Enter');
    await expect(value).toHaveValue(`TX, ${firstC}`);

    // Escape closes an open list and leaves the focus in the field.
    await value.pressSequentially(', n');
    await expect(list).toBeVisible();
    await value.press('Escape');
    await expect(list).toBeHidden();
    await expect(value).toBeFocused();
    await expect(page.getByRole('form', { name: 'New export' })).toBeVisible();

    // The rows matched, counted by the engine, agree with the count the API gives.
    await value.fill(`TX, ${firstC}`);
    // While the suggestions are open the count stays out of the way; closing them shows it.
    await expect(page.locator('.match-line')).toBeHidden();
    await value.press('Escape');
    const counted = await served.api<{ data: { count: number } }>(
      'POST',
      '/v1/datasets/leads/count',
      { filter: { where: [{ column: 'state', op: 'in', value: ['TX', firstC] }] } },
    );
    const n = counted.body.data.count;
    expect(n).toBeGreaterThan(0);
    await expect(
      page.getByText(`Matches ${n.toLocaleString('en-US')} of 2,000 rows`),
    ).toBeVisible();

    // "Texas" on a column holding TX: a warning with the column's nearby values.
    await page.getByLabel('Condition 1 operator').selectOption('eq');
    await value.fill('Texas');
    await value.press('Escape');
    const warning = page.getByTestId('zero-match-warning');
    await expect(warning).toContainText(
      'No rows match: state is "Texas" — the column holds values like TX, TN.',
    );
    await page.getByLabel('Name', { exact: true }).fill('Texas by name');
    await shoot(page, 'new-export-zero-match');

    // Create asks once more instead of making an empty export.
    await page.getByRole('button', { name: 'Create export' }).click();
    await expect(page.getByRole('button', { name: 'Create anyway (no rows)' })).toBeVisible();
    await expect(warning).toContainText('Press "Create anyway"');
    await expect(page).toHaveURL(/#\/exports\/new/);
    const listed = await served.api<{ data: unknown[] }>('GET', '/v1/exports');
    expect(listed.body.data).toHaveLength(0);

    // Changing the draft drops the confirmation; the second press on the same draft creates it.
    await value.fill('Texa');
    await value.press('Escape');
    await expect(page.getByRole('button', { name: 'Create export' })).toBeVisible();
    await value.fill('Texas');
    await value.press('Escape');
    await expect(warning).toBeVisible();
    await page.getByRole('button', { name: 'Create export' }).click();
    await page.getByRole('button', { name: 'Create anyway (no rows)' }).click();
    await expect(page).toHaveURL(/#\/exports\/[^n]/);
    await expect(page.locator('.detail-title')).toContainText('Completed', { timeout: 30_000 });
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
  }
});

test('a failing count never blocks creating', async ({ page }) => {
  const served = await startServe([], {}, { demoRows: 2000 });
  try {
    await signIn(page, served, '#/exports/new?dataset=leads');
    await page.route('**/v1/datasets/leads/count', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'INTERNAL', message: 'The count broke.' } }),
      }),
    );
    await page.getByRole('button', { name: 'Add a condition' }).click();
    await page.getByLabel('Condition 1 column').selectOption('state');
    await page.getByRole('combobox', { name: 'Condition 1 value' }).fill('Texas');
    await expect(page.getByText('Could not count the rows: The count broke.')).toBeVisible();
    await page.getByRole('button', { name: 'Create export' }).click();
    await expect(page).toHaveURL(/#\/exports\/[^n]/);
  } finally {
    await served.stop();
  }
});
