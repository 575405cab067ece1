// A menu opens against its button and never leaves the viewport.
import { describe, expect, it } from 'vitest';
import { placeMenu, type Box } from '../../renderer/src/ui/place-menu.ts';

const box = (left: number, top: number, width: number, height: number): Box => ({
  left,
  top,
  width,
  height,
  right: left + width,
  bottom: top + height,
});
const viewport = { width: 1024, height: 700 };
const menu = { width: 200, height: 260 };

describe('placeMenu', () => {
  it('opens below the button with the right edges aligned', () => {
    expect(placeMenu(box(950, 100, 30, 24), menu, viewport)).toEqual({ left: 780, top: 128 });
  });

  it('opens above the button when there is no room below', () => {
    expect(placeMenu(box(950, 600, 30, 24), menu, viewport)).toEqual({ left: 780, top: 336 });
  });

  it('stays inside the viewport on the left and when neither side has room', () => {
    expect(placeMenu(box(10, 100, 30, 24), menu, viewport).left).toBe(8);
    const short = { width: 1024, height: 300 };
    const p = placeMenu(box(950, 140, 30, 24), menu, short);
    expect(p.top).toBeGreaterThanOrEqual(8);
    expect(p.top + menu.height).toBeLessThanOrEqual(300 - 8);
  });
});
