// The tray icon: running-job count, and a menu to show the window, pause schedules or quit.
import { Menu, nativeImage, Tray } from 'electron';
import type { EventBus } from '../engine/events.ts';
import type { Export } from '../../shared/schemas/exports.ts';
import type { SchedulePause } from './schedule-pause.ts';
import {
  trayIconBitmap,
  trayMenu,
  trayTitle,
  trayTooltip,
  watchRunningCount,
  type TrayAction,
  type TrayState,
} from './tray-model.ts';

export interface AppTray {
  state(): TrayState;
  destroy(): void;
}

function icon(running: boolean) {
  const size = 32;
  return nativeImage
    .createFromBitmap(trayIconBitmap(size, running), { width: size, height: size, scaleFactor: 2 })
    .resize({ width: 16, height: 16 });
}

export function createAppTray(opts: {
  events: Pick<EventBus, 'on'>;
  initialExports: readonly Pick<Export, 'id' | 'status'>[];
  enabledSchedules: () => number;
  pause: SchedulePause;
  onAction: (action: TrayAction) => void;
}): AppTray {
  const tray = new Tray(icon(false));
  let running = 0;
  let destroyed = false;
  const state = (): TrayState => ({
    running,
    enabledSchedules: opts.enabledSchedules(),
    schedulesPaused: opts.pause.isPaused(),
  });
  const render = () => {
    // A menu action may have destroyed the tray (Quit) before the menu is redrawn.
    if (destroyed) return;
    const s = state();
    tray.setImage(icon(s.running > 0));
    tray.setToolTip(trayTooltip(s));
    if (process.platform === 'darwin') tray.setTitle(trayTitle(s));
    tray.setContextMenu(
      Menu.buildFromTemplate(
        trayMenu(s).map((item) => ({
          label: item.label,
          enabled: item.enabled,
          click: () => {
            if (item.action) opts.onAction(item.action);
            render();
          },
        })),
      ),
    );
  };
  const counter = watchRunningCount(opts.events, opts.initialExports, (n) => {
    running = n;
    render();
  });
  running = counter.count();
  // A new, changed or deleted schedule can change "Pause schedules" and closing to the tray.
  const offUpdated = opts.events.on('schedule.updated', () => render());
  const offDeleted = opts.events.on('schedule.deleted', () => render());
  tray.on('click', () => opts.onAction('show'));
  render();
  return {
    state,
    destroy() {
      destroyed = true;
      counter.stop();
      offUpdated();
      offDeleted();
      tray.destroy();
    },
  };
}
