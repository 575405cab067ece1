// A schedule in a real browser against a real `serve`: created from the form with its first run at
// once, it keeps one stable file in a folder, says itself in one line, and lists every run with its
// trigger, rows, size, saved copy, and the runs whose files retention removed.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, startServe, test } from './serve-fixture.ts';
import { shoot, signIn, watchErrors } from './ui-helpers.ts';

/** axe-core's violations on the page (any impact), as "rule: target" lines. */
async function axeViolations(page: Page): Promise<string[]> {
  const source = readFileSync(
    createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
    'utf8',
  );
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (d: Document, o: object) => Promise<never> } })
      .axe;
    const r: { violations: { id: string; nodes: { target: string[] }[] }[] } = await axe.run(
      document,
      { resultTypes: ['violations'] },
    );
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

test('a schedule keeps one stable file, says when it runs, and shows every run', async ({
  page,
  context,
}) => {
  const served = await startServe([], {}, { demoRows: 2000 });
  const folder = mkdtempSync(join(tmpdir(), 'em-e2e-schedule-'));
  try {
    const errors = watchErrors(page);
    const created = await served.api<{ data: { id: string } }>('POST', '/v1/exports', {
      dataset: 'leads',
      name: 'Texas leads',
      filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
    });
    expect(created.status).toBe(202);
    await signIn(page, served, `#/schedules/new?from=${created.body.data.id}`);

    // The form: a cron timetable in a zone, the first run at once, a folder.
    const form = page.getByRole('form', { name: 'New schedule' });
    await expect(form).toBeVisible();
    await form.getByLabel('Name', { exact: true }).fill('Texas daily');
    await form.getByText('Cron', { exact: true }).click();
    await form.getByLabel('Cron expression').fill('0 6 * * *');
    await form.getByLabel('Time zone').fill('Europe/Paris');
    await form.getByText('At once', { exact: true }).click();
    await form.getByLabel('Save each run in').fill(folder);
    // Rows are matched between runs by a column of the export, chosen here (default: id).
    const key = form.getByLabel('Match rows between runs by');
    await expect(key.locator('option').first()).toHaveText('Default (id)');
    await key.selectOption('email');
    await expect(
      form.getByLabel('Rows each run exports').locator('option', { hasText: 'by created_at' }),
    ).toHaveCount(1);
    await expect(page.getByTestId('schedule-preview')).toContainText('Europe/Paris');
    await shoot(page, 'schedule-form-first-run');
    await form.getByRole('button', { name: 'Create schedule' }).click();

    // The first run: timetable, completed, its copy beside the stable file that it replaced.
    const runs = page.getByRole('table', { name: 'Runs of Texas daily' });
    const first = runs.getByTestId('schedule-run').filter({ hasText: '#1' });
    await expect(first).toContainText('Timetable', { timeout: 30_000 });
    await expect(first).toContainText('Completed', { timeout: 30_000 });
    await expect(first).toContainText('texas-leads.1.csv');
    const stablePath = join(folder, 'texas-leads.csv');
    const stable = page.getByTestId('stable-file');
    await expect(stable).toContainText(stablePath);
    await expect(stable).toContainText('by run #1');
    const lines = readFileSync(stablePath, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    const rows = lines.length - 1;
    await expect(first).toContainText(rows.toLocaleString('en-US'));

    // One line in words: the timetable with its zone, the last run with its rows, the next run.
    const summary = page.getByTestId('schedule-summary');
    await expect(summary).toContainText(
      new RegExp(
        `^Every day at 06:00 Europe/Paris; last run (just now|\\d+ s ago), ${rows.toLocaleString('en-US')} rows; next in \\d+ (h|min)$`,
      ),
    );
    await expect(page.getByText('keeps every run')).toBeVisible();
    await expect(page.getByTestId('changes-key')).toHaveText('email');
    await expect(page.getByTestId('incremental')).toHaveText('all rows');

    // Copy path puts the stable file's path on the clipboard.
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await stable.getByRole('button', { name: 'Copy path' }).click();
    await expect(page.getByText('Path copied.')).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(stablePath);

    // Keep one run, run it now: run #2 is labelled, replaces the stable file, and run #1 stays in
    // the history with the reason its file is gone.
    const id = /#\/schedules\/([^/?]+)/.exec(page.url())![1]!;
    const patched = await served.api('PATCH', `/v1/schedules/${id}`, { retain: 1 });
    expect(patched.status).toBe(200);
    await page.getByRole('button', { name: 'Run now' }).click();
    const second = runs.getByTestId('schedule-run').filter({ hasText: '#2' });
    await expect(second).toContainText('Run now');
    await expect(second).toContainText('Completed', { timeout: 30_000 });
    // Same data as run #1: nothing added, removed or changed, and the changes file says so.
    const changes = second.getByRole('link', { name: '+0 −0 ~0' });
    await expect(changes).toBeVisible();
    const csv = await page.request.get(`${served.url}${await changes.getAttribute('href')}`, {
      headers: { authorization: `Bearer ${served.key}` },
    });
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toBe('change,key,old,new\n');
    await expect(stable).toContainText('by run #2');
    await expect(first).toContainText('file removed (retain 1)');
    await expect(page.getByText('keeps the newest run only')).toBeVisible();
    expect(readdirSync(folder).sort()).toEqual(['texas-leads.2.csv', 'texas-leads.csv']);
    await shoot(page, 'schedule-history');
    expect(await axeViolations(page)).toEqual([]);

    // The list says the same line, and where it saves.
    await page.getByRole('link', { name: '← All schedules' }).click();
    const card = page.getByTestId('schedule').filter({ hasText: 'Texas daily' });
    await expect(card.getByTestId('schedule-summary')).toContainText(
      'Every day at 06:00 Europe/Paris; last run',
    );
    await expect(card).toContainText(`saves to ${folder}`);
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});
