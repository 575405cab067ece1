// The window remembers its size and position (and maximised state) between runs, and never comes
// back off-screen when a monitor was unplugged. Plain Node so tests cover it.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Bounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState {
  readonly bounds: Bounds;
  readonly maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1280, height: 820 } as const;
export const MIN_SIZE = { width: 960, height: 600 } as const;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function loadWindowState(dataDir: string): WindowState | null {
  try {
    const raw = JSON.parse(readFileSync(join(dataDir, 'window-state.json'), 'utf8')) as {
      bounds?: Partial<Bounds>;
      maximized?: unknown;
    };
    const b = raw.bounds;
    if (!b || !isInt(b.x) || !isInt(b.y) || !isInt(b.width) || !isInt(b.height)) return null;
    return {
      bounds: { x: b.x, y: b.y, width: b.width, height: b.height },
      maximized: raw.maximized === true,
    };
  } catch {
    return null;
  }
}

export function saveWindowState(dataDir: string, state: WindowState): void {
  const file = join(dataDir, 'window-state.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(state));
  renameSync(`${file}.tmp`, file);
}

/**
 * Where to open the window: the saved bounds when enough of the title bar lies on a display that
 * is there now, clamped to the minimum size and to that display; else centred defaults (undefined x/y).
 */
export function placeWindow(
  saved: WindowState | null,
  workAreas: readonly Bounds[],
): { x?: number; y?: number; width: number; height: number; maximized: boolean } {
  if (!saved) return { ...DEFAULT_SIZE, maximized: false };
  const b = saved.bounds;
  const width = Math.max(MIN_SIZE.width, b.width);
  const height = Math.max(MIN_SIZE.height, b.height);
  // The top strip of the window (its title bar) must overlap a display by 100 × 30 px at least.
  const area = workAreas.find((a) => {
    const overlapX = Math.min(b.x + width, a.x + a.width) - Math.max(b.x, a.x);
    const overlapY = Math.min(b.y + 30, a.y + a.height) - Math.max(b.y, a.y);
    return overlapX >= 100 && overlapY >= 30;
  });
  if (!area) return { width, height, maximized: saved.maximized };
  return {
    x: b.x,
    y: b.y,
    width: Math.min(width, area.width),
    height: Math.min(height, area.height),
    maximized: saved.maximized,
  };
}
