// What the tray shows and offers, as plain data and functions (no Electron) so Node tests cover it:
// the running-job count, the menu, whether closing the window keeps the app in the tray, the icon.
import type { Export } from '../../shared/schemas/exports.ts';
import type { EventBus } from '../engine/events.ts';

export interface TrayState {
  readonly running: number;
  readonly enabledSchedules: number;
  readonly schedulesPaused: boolean;
}

export type TrayAction = 'show' | 'pause-schedules' | 'resume-schedules' | 'quit';

export interface TrayMenuItem {
  readonly label: string;
  readonly action: TrayAction | null;
  readonly enabled: boolean;
}

export function trayTooltip(s: TrayState): string {
  if (s.running === 0) return 'Export Manager: nothing running';
  return `Export Manager: ${s.running} export${s.running === 1 ? '' : 's'} running`;
}

/** The running count beside the icon where the OS shows a title (macOS), empty when idle. */
export const trayTitle = (s: TrayState): string => (s.running > 0 ? String(s.running) : '');

export function trayMenu(s: TrayState): TrayMenuItem[] {
  return [
    { label: trayTooltip(s).replace('Export Manager: ', ''), action: null, enabled: false },
    { label: 'Show Export Manager', action: 'show', enabled: true },
    s.schedulesPaused
      ? { label: 'Resume schedules', action: 'resume-schedules', enabled: true }
      : {
          label: 'Pause schedules',
          action: 'pause-schedules',
          enabled: s.enabledSchedules > 0,
        },
    { label: 'Quit', action: 'quit', enabled: true },
  ];
}

/**
 * Closing the window keeps the app in the tray while schedules would run (they need the engine);
 * otherwise closing quits, as users expect. An explicit Quit always quits.
 */
export function keepInTrayOnClose(s: TrayState, quitting: boolean): boolean {
  return !quitting && s.enabledSchedules > 0 && !s.schedulesPaused;
}

const active = (e: Pick<Export, 'status'>) => e.status === 'pending' || e.status === 'processing';

/** Follows the engine's events to know how many exports are queued or running, at once. */
export function watchRunningCount(
  events: Pick<EventBus, 'on'>,
  initial: readonly Pick<Export, 'id' | 'status'>[],
  onChange: (running: number) => void,
): { count(): number; stop(): void } {
  const ids = new Set(initial.filter(active).map((e) => e.id));
  const update = (id: string, isActive: boolean) => {
    const before = ids.size;
    if (isActive) ids.add(id);
    else ids.delete(id);
    if (ids.size !== before) onChange(ids.size);
  };
  const offUpdated = events.on('export.updated', (e) => update(e.id, active(e)));
  const offDeleted = events.on('export.deleted', ({ id }) => update(id, false));
  return {
    count: () => ids.size,
    stop() {
      offUpdated();
      offDeleted();
    },
  };
}

/**
 * The tray icon as a BGRA bitmap (Electron's nativeImage.createFromBitmap): a rounded square with a
 * down arrow, drawn here so the app ships no image files; a dot at the corner while exports run.
 */
export function trayIconBitmap(size: number, running: boolean): Buffer {
  const px = Buffer.alloc(size * size * 4);
  const r = size * 0.22;
  const set = (x: number, y: number, [b, g, rr, a]: readonly number[]) => {
    const i = (y * size + x) * 4;
    px[i] = b!;
    px[i + 1] = g!;
    px[i + 2] = rr!;
    px[i + 3] = a!;
  };
  const blue = [0xde, 0x6f, 0x2f, 0xff];
  const white = [0xff, 0xff, 0xff, 0xff];
  const green = [0x4c, 0xc2, 0x1f, 0xff];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      // Inside the rounded square: distance to the nearest corner circle's centre.
      const cx = Math.min(Math.max(x + 0.5, r), size - r);
      const cy = Math.min(Math.max(y + 0.5, r), size - r);
      if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) set(x, y, blue);
    }
  const mid = Math.floor(size / 2);
  const w = Math.max(1, Math.round(size / 10));
  // The arrow: a stem, a head, a bar underneath.
  for (let y = Math.round(size * 0.2); y < Math.round(size * 0.62); y++)
    for (let x = mid - w; x < mid + w; x++) set(x, y, white);
  for (let i = 0; i < Math.round(size * 0.2); i++)
    for (let t = -w; t < w; t++) {
      const y = Math.round(size * 0.62) - i + t;
      if (y >= 0 && y < size) {
        set(Math.max(0, mid - i - 1), y, white);
        set(Math.min(size - 1, mid + i), y, white);
      }
    }
  for (let y = Math.round(size * 0.74); y < Math.round(size * 0.74) + w * 2; y++)
    for (let x = Math.round(size * 0.25); x < Math.round(size * 0.75); x++) set(x, y, white);
  if (running) {
    const d = Math.max(2, Math.round(size * 0.3));
    for (let y = 0; y < d; y++)
      for (let x = size - d; x < size; x++)
        if ((x - (size - d / 2)) ** 2 + (y - d / 2) ** 2 <= (d / 2) ** 2) set(x, y, green);
  }
  return px;
}
