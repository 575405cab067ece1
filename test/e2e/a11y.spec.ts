// Accessibility in the real browser: axe-core runs on every main screen with real content, at
// 1280×800 and 1024×700, in light and dark, and any violation (any impact) fails the test. Each
// state is also saved as a screenshot in test-results/screens/a11y-*.png to be looked at.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { expect, startServe, test, type Served } from './serve-fixture.ts';
import { SCREENS_DIR, signIn, watchErrors } from './ui-helpers.ts';
import { asDesktopWindow } from './desktop-bridge.ts';

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface Finding {
  readonly rule: string;
  readonly impact: string;
  readonly help: string;
  readonly nodes: string[];
}

/** Runs axe-core in the page (injected through the debugger, so the page's CSP stays as it is). */
async function axe(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const run = (
      window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<never> } }
    ).axe.run;
    const result: {
      violations: {
        id: string;
        impact: string;
        help: string;
        nodes: { target: string[]; failureSummary: string }[];
      }[];
    } = await run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes
        .slice(0, 6)
        .map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
}

/** Data for every screen to show something real: exports in several states, a provider, a schedule. */
async function seed(served: Served): Promise<{ completed: string; failed: string }> {
  const create = async (body: object) => {
    const r = await served.api<{ data: { id: string } }>('POST', '/v1/exports', body);
    expect(r.status).toBe(202);
    return r.body.data.id;
  };
  const completed = await create({
    dataset: 'leads',
    name: 'Texas leads',
    columns: ['id', 'email', 'state'],
    filter: { where: [{ column: 'state', op: 'in', value: ['TX', 'CA'] }] },
  });
  await create({ dataset: 'leads', name: 'All leads as JSON lines', format: 'jsonl' });
  const provider = await served.api<{ data: { id: string } }>('POST', '/v1/providers', {
    name: 'DataDriver account',
    type: 'datadriver',
    base_url: 'http://127.0.0.1:9',
    credential: 'not-a-real-credential',
  });
  expect(provider.status).toBe(201);
  // Nothing listens on port 9: the vendor export fails with the connection's own words.
  const failed = await create({
    provider: provider.body.data.id,
    params: {},
    name: 'Vendor leads',
  });
  const schedule = await served.api('POST', '/v1/schedules', {
    name: 'Nightly leads',
    request: { dataset: 'leads', name: 'Nightly leads' },
    every_seconds: 86_400,
  });
  expect(schedule.status).toBe(201);
  for (const id of [completed, failed]) {
    await expect
      .poll(
        async () =>
          (await served.api<{ data: { status: string } }>('GET', `/v1/exports/${id}`)).body.data
            .status,
        { timeout: 30_000 },
      )
      .toMatch(/completed|failed/);
  }
  return { completed, failed };
}

/** The new-export form's value suggestions open, then its zero-match warning: 1280 and 1024 px. */
async function checkNewExportHints(page: Page): Promise<string[]> {
  const found: string[] = [];
  const check = async (name: string, width: number) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      await page.waitForTimeout(150);
      await page.screenshot({ path: `${SCREENS_DIR}/a11y-${name}-${width}-${scheme}.png` });
      for (const f of await axe(page))
        found.push(
          `${name} ${width}px ${scheme}: [${f.impact}] ${f.rule}\n    ${f.nodes.join('\n    ')}`,
        );
    }
  };
  for (const [width, height] of [
    [1280, 800],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => (window.location.hash = '#/exports'));
    await page.evaluate(() => (window.location.hash = '#/exports/new?dataset=leads'));
    await page.getByRole('button', { name: 'Add a condition' }).click();
    await page.getByLabel('Condition 1 column').selectOption('state');
    const value = page.getByRole('combobox', { name: 'Condition 1 value' });
    await value.fill('t');
    const list = page.getByRole('listbox', { name: 'Values of state' });
    await expect(list.getByRole('option')).toHaveCount(2);
    await value.press('ArrowDown');
    await expect(list.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
    await check('value-suggestions', width);
    await value.fill('Texas');
    await value.press('Escape');
    await expect(page.getByTestId('zero-match-warning')).toBeVisible();
    await check('zero-match', width);
  }
  return found;
}

test('axe finds nothing on any screen, at 1280 and 1024 px, light and dark', async ({ page }) => {
  test.setTimeout(240_000);
  const served = await startServe([], {}, { demoRows: 2000 });
  try {
    const errors = watchErrors(page);
    const { completed, failed } = await seed(served);
    await signIn(page, served);
    const screens: [name: string, hash: string, ready: string][] = [
      ['exports', '#/exports', 'Texas leads'],
      ['export-detail', `#/exports/${completed}`, 'SHA-256'],
      ['export-failed', `#/exports/${failed}`, 'Vendor leads'],
      ['new-export', '#/exports/new?dataset=leads', 'Conditions'],
      ['datasets', '#/datasets', 'leads'],
      ['providers', '#/providers', 'DataDriver account'],
      ['schedules', '#/schedules', 'Nightly leads'],
      ['settings', '#/settings', 'API keys'],
    ];
    mkdirSync(SCREENS_DIR, { recursive: true });
    const found: string[] = [];
    for (const [width, height] of [
      [1280, 800],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const [name, hash, ready] of screens) {
        await page.evaluate((h) => (window.location.hash = h), hash);
        await expect(page.locator('#content').getByText(ready).first()).toBeVisible();
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
          await page.waitForTimeout(150);
          await page.screenshot({ path: `${SCREENS_DIR}/a11y-${name}-${width}-${scheme}.png` });
          for (const f of await axe(page))
            found.push(
              `${name} ${width}px ${scheme}: [${f.impact}] ${f.rule} (${f.help})\n    ${f.nodes.join('\n    ')}`,
            );
        }
      }
      // A row's menu open over the list: the popover itself must pass too.
      await page.evaluate(() => (window.location.hash = '#/exports'));
      const more = page.getByRole('button', { name: 'More actions for Texas leads' });
      await more.click();
      await expect(page.getByRole('menu')).toBeVisible();
      // Against its button, whole inside the window, and on top of everything at its centre.
      const b = (await more.boundingBox())!;
      const m = (await page.getByRole('menu').boundingBox())!;
      expect(Math.abs(m.y - (b.y + b.height)) <= 8 || Math.abs(m.y + m.height - b.y) <= 8).toBe(
        true,
      );
      expect(Math.abs(m.x + m.width - (b.x + b.width))).toBeLessThanOrEqual(8);
      expect(m.x >= 0 && m.y >= 0 && m.x + m.width <= width && m.y + m.height <= height).toBe(true);
      const onTop = await page.evaluate(
        ([x, y]) => document.elementFromPoint(x!, y!)?.closest('[role="menu"]') !== null,
        [m.x + m.width / 2, m.y + m.height / 2],
      );
      expect(onTop).toBe(true);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        await page.waitForTimeout(150);
        await page.screenshot({ path: `${SCREENS_DIR}/a11y-row-menu-${width}-${scheme}.png` });
        for (const f of await axe(page))
          found.push(
            `row menu ${width}px ${scheme}: [${f.impact}] ${f.rule}\n    ${f.nodes.join('\n    ')}`,
          );
      }
      await page.keyboard.press('Escape');
    }

    // Dialogs and overlays, at 1024 px in both themes: each is checked while open.
    const overlays: [name: string, hash: string, open: () => Promise<void>][] = [
      [
        'confirm-delete',
        '#/exports',
        async () => {
          await page.getByRole('button', { name: 'More actions for Texas leads' }).click();
          await page.getByRole('menuitem', { name: 'Delete' }).click();
          await expect(page.getByRole('dialog')).toBeVisible();
        },
      ],
      [
        'shortcuts',
        '#/exports',
        async () => {
          await page.locator('body').press('?');
          await expect(page.getByTestId('shortcuts')).toBeVisible();
        },
      ],
      [
        'provider-dialog',
        '#/providers',
        async () => {
          await page.getByRole('button', { name: 'Add a provider' }).click();
          await expect(page.getByRole('dialog')).toBeVisible();
        },
      ],
      [
        'new-key',
        '#/settings',
        async () => {
          await page.getByRole('button', { name: 'New key' }).click();
          await expect(page.getByRole('dialog')).toBeVisible();
        },
      ],
    ];
    for (const [name, hash, open] of overlays) {
      await page.evaluate((h) => (window.location.hash = h), hash);
      await open();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        await page.waitForTimeout(150);
        await page.screenshot({ path: `${SCREENS_DIR}/a11y-${name}-1024-${scheme}.png` });
        for (const f of await axe(page))
          found.push(`${name} ${scheme}: [${f.impact}] ${f.rule}\n    ${f.nodes.join('\n    ')}`);
      }
      await page.keyboard.press('Escape');
      await expect(page.getByRole('dialog')).toHaveCount(0);
    }
    found.push(...(await checkNewExportHints(page)));
    expect(found.join('\n')).toBe('');
    expect(errors).toEqual([]);
  } finally {
    await served.stop();
  }
});

test.describe('the desktop window on a team engine', () => {
  // The desktop app adds its relay to the page's CSP (see desktop-bridge.ts).
  test.use({ bypassCSP: true });

  test('axe finds nothing on Settings → Team engine, connected or not, at 1280 and 1024 px, light and dark', async ({
    page,
    served,
  }) => {
    test.setTimeout(120_000);
    const team = await startServe([], {}, { demoRows: 500 });
    const shell = await asDesktopWindow(page, served);
    try {
      const found: string[] = [];
      const check = async (name: string) => {
        for (const [width, height] of [
          [1280, 800],
          [1024, 700],
        ] as const) {
          await page.setViewportSize({ width, height });
          for (const scheme of ['light', 'dark'] as const) {
            await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
            await page.waitForTimeout(150);
            await page.screenshot({ path: `${SCREENS_DIR}/a11y-${name}-${width}-${scheme}.png` });
            for (const f of await axe(page))
              found.push(
                `${name} ${width}px ${scheme}: [${f.impact}] ${f.rule} (${f.help})\n    ${f.nodes.join('\n    ')}`,
              );
          }
        }
      };
      await signIn(page, served, '#/settings');
      const section = page.getByRole('region', { name: 'Team engine' });
      // A form sent without a key: the field is marked and says why.
      await section.getByLabel('Engine URL').fill(team.url);
      await section.getByRole('button', { name: 'Test connection' }).click();
      await expect(section.getByLabel('API key')).toBeFocused();
      await check('team-engine-missing-key');
      await section.getByLabel('API key').fill('em_wrong');
      await section.getByRole('button', { name: 'Test connection' }).click();
      await expect(section.getByTestId('team-result')).toContainText('Wrong API key.');
      await check('team-engine-result');
      await section.getByLabel('API key').fill(team.key);
      await section.getByRole('button', { name: 'Connect', exact: true }).click();
      await expect(page.getByTestId('engine-indicator')).toBeVisible();
      await expect(page.getByTestId('connection-status')).toHaveText('Connected');
      await expect(page.locator('#content').getByText('API keys')).toBeVisible();
      await check('team-engine-connected');
      await team.stop();
      await expect(page.getByTestId('team-offline')).toBeVisible({ timeout: 20_000 });
      await check('team-engine-away');
      expect(found.join('\n')).toBe('');
    } finally {
      await shell.close();
      await team.stop();
    }
  });
});
