// The desktop window connected to a team engine: a second real `serve` process plays the team's
// shared engine. Settings → Team engine tests it (wrong key, then right), connects; the whole UI
// then shows the team's exports, live over the relayed event stream; the team engine going away
// is said plainly, and "Use this computer's engine" comes back with nothing lost.
import { statSync } from 'node:fs';
import { expect, startServe, test } from './serve-fixture.ts';
import { asDesktopWindow } from './desktop-bridge.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

// The relay's origin joins the page's CSP in the desktop app (see desktop-bridge.ts).
test.use({ bypassCSP: true });

test('connects the window to a team engine, shows its exports live, and comes back', async ({
  page,
  served,
}) => {
  test.setTimeout(120_000);
  const team = await startServe([], {}, { demoRows: 3000 });
  const shell = await asDesktopWindow(page, served);
  try {
    const errors = watchErrors(page);
    const host = new URL(team.url).host;
    const local = await served.api<{ data: { id: string } }>('POST', '/v1/exports', {
      dataset: 'leads',
      name: 'Only on this computer',
    });
    expect(local.status).toBe(202);

    await signIn(page, served, '#/settings');
    const section = page.getByRole('region', { name: 'Team engine' });
    await expect(section.getByTestId('engine-now')).toHaveText('this computer’s engine');
    await expect(page.getByTestId('engine-indicator')).toHaveCount(0);

    // The keyboard alone: URL, key, Test connection; the answer is announced (aria-live).
    await section.getByLabel('Engine URL').fill(team.url);
    await section.getByLabel('API key').fill('em_not_the_key');
    await section.getByRole('button', { name: 'Test connection' }).focus();
    await page.keyboard.press('Enter');
    const result = section.getByTestId('team-result');
    await expect(result).toHaveAttribute('aria-live', 'polite');
    await expect(result).toContainText('Wrong API key.');
    await expect(result).toContainText(`The engine at ${host}`);
    await shoot(page, 'team-engine-wrong-key');

    await section.getByLabel('API key').fill(team.key);
    await section.getByRole('button', { name: 'Test connection' }).click();
    await expect(result).toContainText('Reachable.');
    await shoot(page, 'team-engine-reachable');
    await section.getByRole('button', { name: 'Connect', exact: true }).click();

    // The page starts again on the team engine: the header says which.
    await expect(page.getByTestId('engine-indicator')).toHaveText(`Team engine: ${host}`);
    await expect(page.getByTestId('connection-status')).toHaveText('Connected');
    await expect(section.getByTestId('engine-now')).toHaveText(`the team engine at ${team.url}`);

    // Its folders are on its machine: said so, and no dialog of this computer offers to pick one.
    await page.evaluate(() => (window.location.hash = '#/exports/new?dataset=leads'));
    await expect(page.locator('#content')).toContainText(
      `A folder on the team engine’s machine (${host}). Optional.`,
    );
    await expect(page.locator('#content').getByRole('button', { name: 'Choose…' })).toHaveCount(0);

    // A teammate's script creates an export on the team engine: it appears and completes live.
    await page.evaluate(() => (window.location.hash = '#/exports'));
    await expect(page.locator('#content').getByText('Only on this computer')).toHaveCount(0);
    const created = await team.api<{ data: { id: string } }>('POST', '/v1/exports', {
      dataset: 'leads',
      name: 'Made by a teammate',
      format: 'csv',
    });
    expect(created.status).toBe(202);
    const row = page.locator('#content').getByRole('row', { name: /Made by a teammate/ });
    await expect(row).toBeVisible();
    await expect(row).toContainText(/Completed/i);
    await shoot(page, 'team-engine-exports');
    // Its file downloads to this computer: through the relay, then the team engine's signed link.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('link', { name: 'Download Made by a teammate' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^made-by-a-teammate\.csv/);
    const path = await download.path();
    expect(statSync(path).size).toBeGreaterThan(1000);

    // The team engine goes away: the window says so, with why, and offers the way back.
    await team.stop();
    const banner = page.getByTestId('team-offline');
    await expect(banner).toContainText(
      `The team engine at ${host} is not answering: connect ECONNREFUSED`,
      {
        timeout: 20_000,
      },
    );
    await expect(banner).toContainText('Team engine unavailable.');
    await shoot(page, 'team-engine-offline');
    await banner.getByRole('button', { name: 'Use this computer’s engine' }).click();
    await expect(page.getByTestId('engine-indicator')).toHaveCount(0);
    await expect(page.getByTestId('connection-status')).toHaveText('Connected');
    await expect(page.locator('#content').getByText('Only on this computer')).toBeVisible();
    expect(shell.team.view()).toMatchObject({ url: team.url, hasKey: true, connected: false });
    // The stopped team engine's refused requests are the only console errors allowed.
    expect(errors.filter((e) => !/Failed to load resource|502|EventSource/.test(e))).toEqual([]);
  } finally {
    await shell.close();
    await team.stop();
  }
});
