// The desktop shell's behaviour without Electron: tray count and menu from a real engine's events,
// pausing and resuming schedules, staying in the tray, the window's remembered place, IPC checks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validIpcArgs, ipcChannels } from '../../shared/ipc.ts';
import { createSchedulePause } from '../../electron/main/schedule-pause.ts';
import {
  keepInTrayOnClose,
  trayIconBitmap,
  trayMenu,
  trayTooltip,
  watchRunningCount,
} from '../../electron/main/tray-model.ts';
import { loadWindowState, placeWindow, saveWindowState } from '../../electron/main/window-state.ts';
import { tempDir } from '../helpers/context.ts';
import { createExport, waitFinal } from '../helpers/exports.ts';
import { makeServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
beforeEach(async () => {
  s = await makeServer({ demoRows: 100_000, exportsTestSeams: { progressMs: 0 } });
});
afterEach(async () => s.close());

describe('the tray', () => {
  it('counts running exports live from the engine and back to zero when they finish', async () => {
    const seen: number[] = [];
    const counter = watchRunningCount(s.engine.ctx.events, [], (n) => seen.push(n));
    const a = (await createExport(s, { dataset: 'leads', name: 'a' })).json().data.id as string;
    const b = (await createExport(s, { dataset: 'leads', name: 'b' })).json().data.id as string;
    expect(counter.count()).toBeGreaterThanOrEqual(1);
    await waitFinal(s, a);
    await waitFinal(s, b);
    expect(Math.max(...seen)).toBe(2);
    expect(counter.count()).toBe(0);
    expect(seen.at(-1)).toBe(0);
    counter.stop();
  });

  it('starts from the exports already running and forgets deleted ones', async () => {
    const counter = watchRunningCount(
      s.engine.ctx.events,
      [
        { id: 'x', status: 'processing' },
        { id: 'y', status: 'completed' },
      ],
      () => {},
    );
    expect(counter.count()).toBe(1);
    s.engine.ctx.events.emit('export.deleted', { id: 'x' });
    expect(counter.count()).toBe(0);
    counter.stop();
  });

  it('offers show, pause or resume, quit; says what runs; keeps the app while schedules need it', () => {
    const idle = { running: 0, enabledSchedules: 0, schedulesPaused: false };
    expect(trayTooltip(idle)).toBe('Export Manager: nothing running');
    expect(trayTooltip({ ...idle, running: 2 })).toBe('Export Manager: 2 exports running');
    expect(trayMenu(idle).map((i) => i.label)).toEqual([
      'nothing running',
      'Show Export Manager',
      'Pause schedules',
      'Quit',
    ]);
    expect(trayMenu(idle)[2]!.enabled).toBe(false);
    expect(trayMenu({ ...idle, schedulesPaused: true })[2]!.action).toBe('resume-schedules');
    expect(keepInTrayOnClose({ ...idle, enabledSchedules: 1 }, false)).toBe(true);
    expect(keepInTrayOnClose({ ...idle, enabledSchedules: 1 }, true)).toBe(false);
    expect(keepInTrayOnClose(idle, false)).toBe(false);
    expect(keepInTrayOnClose({ ...idle, enabledSchedules: 1, schedulesPaused: true }, false)).toBe(
      false,
    );
  });

  it('draws its icon: opaque in the square, transparent in the corners, a dot while running', () => {
    const size = 32;
    const idle = trayIconBitmap(size, false);
    const busy = trayIconBitmap(size, true);
    expect(idle.length).toBe(size * size * 4);
    const alpha = (buf: Buffer, x: number, y: number) => buf[(y * size + x) * 4 + 3];
    expect(alpha(idle, 0, 0)).toBe(0);
    expect(alpha(idle, 16, 4)).toBe(255);
    expect(idle.equals(busy)).toBe(false);
  });
});

describe('pausing schedules from the tray', () => {
  it('pauses the enabled ones, resumes exactly those, and survives a restart in between', () => {
    const svc = s.engine.schedules;
    const mk = (name: string, enabled: boolean) =>
      svc.create({ name, request: { dataset: 'leads' }, every_seconds: 3600, enabled });
    const a = mk('a', true);
    const b = mk('b', true);
    const byHand = mk('paused by hand', false);
    const pause = createSchedulePause(svc, s.dataDir);
    expect(pause.isPaused()).toBe(false);
    expect(pause.pauseAll()).toBe(2);
    expect(svc.list().every((x) => !x.enabled)).toBe(true);
    // A new tray after a restart reads what to resume from the data folder.
    const again = createSchedulePause(svc, s.dataDir);
    expect(again.isPaused()).toBe(true);
    expect(again.resumeAll()).toBe(2);
    const enabled = Object.fromEntries(svc.list().map((x) => [x.id, x.enabled]));
    expect(enabled).toEqual({ [a.id]: true, [b.id]: true, [byHand.id]: false });
    expect(again.isPaused()).toBe(false);
  });
});

describe('the window remembers its place', () => {
  const screen = { x: 0, y: 0, width: 1920, height: 1080 };

  it('saves and restores size, position and maximised state', () => {
    const dir = tempDir('em-window-');
    expect(loadWindowState(dir)).toBeNull();
    saveWindowState(dir, { bounds: { x: 100, y: 80, width: 1400, height: 900 }, maximized: true });
    const saved = loadWindowState(dir);
    expect(placeWindow(saved, [screen])).toEqual({
      x: 100,
      y: 80,
      width: 1400,
      height: 900,
      maximized: true,
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('never opens off-screen or below the minimum size; a damaged file means defaults', () => {
    const gone = { bounds: { x: 3000, y: 200, width: 1200, height: 800 }, maximized: false };
    expect(placeWindow(gone, [screen])).toEqual({ width: 1200, height: 800, maximized: false });
    const tiny = { bounds: { x: 10, y: 10, width: 200, height: 100 }, maximized: false };
    expect(placeWindow(tiny, [screen])).toMatchObject({ width: 960, height: 600 });
    expect(placeWindow(null, [screen])).toEqual({ width: 1280, height: 820, maximized: false });
    const dir = tempDir('em-window-');
    writeFileSync(join(dir, 'window-state.json'), '{"bounds": {"x": "left"}}');
    expect(loadWindowState(dir)).toBeNull();
    writeFileSync(join(dir, 'window-state.json'), 'not json');
    expect(loadWindowState(dir)).toBeNull();
    expect(readFileSync(join(dir, 'window-state.json'), 'utf8')).toBe('not json');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('IPC arguments are checked before the main process acts', () => {
  it('accepts well-formed calls on every channel and refuses the rest', () => {
    const good: Record<string, unknown[]> = {
      'dialog:open-file': [{ title: 'Import', filters: [{ name: 'CSV', extensions: ['csv'] }] }],
      'dialog:choose-folder': ['Save in'],
      'dialog:save-file': ['leads.csv'],
      'shell:show-item': ['/home/me/leads.csv'],
      'shell:open-folder': ['/home/me'],
      'clipboard:write-text': ['http://127.0.0.1/v1/exports/x'],
      'app:set-theme': ['dark'],
      'team:get': [],
      'team:test': [{ url: 'https://exports.example.com', apiKey: 'em_k' }],
      'team:connect': [{ url: 'https://exports.example.com', apiKey: '' }],
      'team:disconnect': [],
    };
    for (const channel of ipcChannels) expect(validIpcArgs(channel, good[channel]!)).toBe(true);
    expect(validIpcArgs('app:set-theme', ['purple'])).toBe(false);
    expect(validIpcArgs('shell:open-folder', ['/home/me\0/etc'])).toBe(false);
    expect(validIpcArgs('shell:show-item', [42])).toBe(false);
    expect(validIpcArgs('dialog:save-file', ['x'.repeat(300)])).toBe(false);
    expect(validIpcArgs('dialog:open-file', [{ filters: 'all' }])).toBe(false);
    expect(validIpcArgs('team:test', [{ url: 'https://x', apiKey: 'k', extra: 1 }])).toBe(false);
    expect(validIpcArgs('team:connect', [{ url: 'x'.repeat(3000), apiKey: 'k' }])).toBe(false);
    expect(validIpcArgs('team:disconnect', ['now'])).toBe(false);
    // Desktop notifications are the main process's own (notifications.ts): the page cannot raise one.
    expect(validIpcArgs('app:notify', ['Title', 'Body'])).toBe(false);
    expect(validIpcArgs('app:quit', [])).toBe(false);
  });
});
