// The desktop app's identity, menu, tray and notifications, run under Node against the fake
// `electron` module with a real engine: About, Quit, Pause schedules and notices act for real.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aboutPanelOptions, COPYRIGHT, PRODUCT_NAME } from '../../electron/main/app-identity.ts';
import { app, fake, type FakeMenu } from './fake-electron.ts';
import { boot, hasPidFile, pkg, root, shutDown, until, type Booted } from './desktop-harness.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

let dataDir: string | undefined;
afterEach(async () => {
  await shutDown(dataDir);
  dataDir = undefined;
});

async function booted(platform?: NodeJS.Platform): Promise<Booted> {
  const b = await boot(undefined, platform);
  dataDir = b.dataDir;
  return b;
}

const labels = (menu: FakeMenu | null) => (menu?.flat() ?? []).map((i) => i.label ?? i.role);

describe('who the app says it is', () => {
  it('About shows the product name, version, copyright and icon; the menu opens it', async () => {
    await booted();
    expect(pkg.productName).toBe(PRODUCT_NAME);
    expect(app.aboutOptions).toMatchObject({
      applicationName: 'Export Manager',
      applicationVersion: pkg.version,
      copyright: COPYRIGHT,
    });
    expect(existsSync(app.aboutOptions!.iconPath as string)).toBe(true);
    // The installers say the same (electron-builder.yml).
    const yml = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
    expect(yml).toContain(`copyright: ${COPYRIGHT}\n`);
    expect(yml).toContain(`productName: ${PRODUCT_NAME}\n`);
    expect(app.aboutShown).toBe(0);
    fake.applicationMenu!.click('About Export Manager');
    expect(app.aboutShown).toBe(1);
  });

  it('the About panel carries the website when package.json has a homepage, never a non-web one', () => {
    expect(aboutPanelOptions({ version: '1.2.3', homepage: 'https://example.org/em' })).toEqual({
      applicationName: 'Export Manager',
      applicationVersion: '1.2.3',
      version: '1.2.3',
      copyright: COPYRIGHT,
      website: 'https://example.org/em',
    });
    expect(aboutPanelOptions({ version: '1', homepage: 'javascript:alert(1)' })).not.toHaveProperty(
      'website',
    );
    expect(aboutPanelOptions({ version: '1' }, '/icon.png').iconPath).toBe('/icon.png');
  });

  it('Linux and Windows: File and Help menus; Open Data Folder opens the engine’s folder', async () => {
    const b = await booted('linux');
    expect(fake.applicationMenu!.items.map((i) => i.label)).toEqual([
      'File',
      'Edit',
      'View',
      'Help',
    ]);
    expect(labels(fake.applicationMenu)).toContain('About Export Manager');
    fake.applicationMenu!.click('Open Data Folder');
    expect(fake.opened.paths).toEqual([b.dataDir]);
    fake.applicationMenu!.click('Quit');
    expect(await app.exited()).toBe(0);
    expect(hasPidFile(b.dataDir)).toBe(false);
  });

  it('macOS: About and Quit in the app menu named Export Manager', async () => {
    await booted('darwin');
    const [appMenu] = fake.applicationMenu!.items;
    expect(appMenu!.label).toBe('Export Manager');
    const items = (appMenu!.submenu as { label?: string }[]).map((i) => i.label);
    expect(items).toContain('About Export Manager');
    expect(items).toContain('Quit Export Manager');
    fake.applicationMenu!.click('About Export Manager');
    expect(app.aboutShown).toBe(1);
  });
});

async function createSchedule(b: Booted, enabled: boolean): Promise<string> {
  const res = await b.api('/v1/schedules', {
    method: 'POST',
    body: JSON.stringify({
      name: 'Nightly leads',
      request: { dataset: 'leads', columns: ['id', 'email'] },
      every_seconds: 86_400,
      enabled,
      destination: { dir: join(b.dataDir, 'out'), decompress: true },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { data: { id: string } }).data.id;
}

describe('the tray', () => {
  it('says what runs, pauses and resumes schedules, and keeps the app while they need it', async () => {
    const b = await booted();
    const tray = fake.trays[0]!;
    expect(tray.toolTip).toBe('Export Manager: nothing running');
    const pauseItem = () => tray.menu!.flat().find((i) => /schedules$/.test(i.label ?? ''))!;
    expect(pauseItem()).toMatchObject({ label: 'Pause schedules', enabled: false });

    const id = await createSchedule(b, true);
    await until(() => pauseItem().enabled === true, 'Pause schedules enabled');
    // Closing the window keeps the engine running for the schedule.
    b.window.close();
    expect(b.window.isDestroyed()).toBe(false);
    expect(b.window.isVisible()).toBe(false);
    expect(app.exitCode).toBeNull();
    tray.emit('click');
    expect(b.window.isVisible()).toBe(true);

    tray.menu!.click('Pause schedules');
    const schedule = async () =>
      ((await (await b.api(`/v1/schedules/${id}`)).json()) as { data: { enabled: boolean } }).data;
    expect((await schedule()).enabled).toBe(false);
    expect(pauseItem().label).toBe('Resume schedules');
    tray.menu!.click('Resume schedules');
    expect((await schedule()).enabled).toBe(true);

    // Deleting the only schedule: closing the window quits again.
    expect((await b.api(`/v1/schedules/${id}`, { method: 'DELETE' })).status).toBe(204);
    await until(() => pauseItem().enabled === false, 'Pause schedules disabled');
    b.window.close();
    expect(await app.exited()).toBe(0);
    expect(hasPidFile(b.dataDir)).toBe(false);
  });

  it('Quit from the tray quits even with schedules enabled', async () => {
    const b = await booted();
    await createSchedule(b, true);
    fake.trays[0]!.menu!.click('Quit');
    expect(await app.exited()).toBe(0);
    expect(hasPidFile(b.dataDir)).toBe(false);
  });
});

describe('notifications', () => {
  it('a scheduled export that completes notifies; a click opens the window on it', async () => {
    const b = await booted();
    const id = await createSchedule(b, false);
    b.window.hide();
    const run = await b.api(`/v1/schedules/${id}/run`, { method: 'POST' });
    expect(run.status).toBe(202);
    await until(() => fake.notifications.length > 0, 'a notification');
    const n = fake.notifications[0]!;
    expect(n.options.title).toBe('Export ready: Nightly leads');
    expect(n.options.body).toMatch(/^200 rows\. Saved to .+$/);
    n.emit('click');
    expect(b.window.isVisible()).toBe(true);
    expect(b.window.webContents.executed).toEqual([
      expect.stringMatching(/^window\.location\.hash = "#\/exports\/[^"]+"$/),
    ]);
  });

  it('nothing is shown where the OS has no notifications, or when Settings turns them off', async () => {
    const b = await booted();
    const id = await createSchedule(b, false);
    const runToTheEnd = async () => {
      const run = await b.api(`/v1/schedules/${id}/run`, { method: 'POST' });
      const exportId = ((await run.json()) as { data: { running_export_id: string } }).data
        .running_export_id;
      let status = '';
      await until(
        () => status === 'completed',
        'export completed',
        async () => {
          const res = await b.api(`/v1/exports/${exportId}`);
          status = ((await res.json()) as { data: { status: string } }).data.status;
        },
      );
    };
    fake.notificationsSupported = false;
    await runToTheEnd();
    // The notice comes once the run's stable file and changes are done, which can be after the
    // export reads completed: wait until the app has asked, and been told no.
    await until(() => fake.notificationsRefused > 0, 'the notice refused');
    fake.notificationsSupported = true;
    const off = await b.api('/v1/settings', {
      method: 'PATCH',
      body: JSON.stringify({ notifications: false }),
    });
    expect(off.status, await off.clone().text()).toBe(200);
    await runToTheEnd();
    expect(fake.notifications).toEqual([]);
  });
});
