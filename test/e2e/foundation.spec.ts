import { expect, test } from './serve-fixture.ts';

test('serve prints a sign-in link; the tab connects and the key leaves the address bar', async ({
  page,
  served,
}) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(served.tokenUrl);
  await expect(page).toHaveTitle(/Export Manager/);
  await expect(page.getByTestId('connection-status')).toHaveText(/Connected/);
  expect(page.url()).not.toContain('token=');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'em_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');
  for (const name of ['Exports', 'Datasets', 'Providers', 'Schedules', 'Settings']) {
    await expect(page.getByRole('link', { name })).toBeVisible();
  }
  await page.screenshot({
    path: 'test-results/screenshots/foundation-connected.png',
    fullPage: true,
  });
  expect(errors).toEqual([]);
});
