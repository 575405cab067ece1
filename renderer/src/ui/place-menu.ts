// Where a menu goes next to the button that opened it: below, right edges aligned; above when
// there is no room below; always inside the viewport with a small margin.

export interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly width: number;
  readonly height: number;
}

const GAP = 4;
const MARGIN = 8;

export function placeMenu(
  button: Box,
  menu: Pick<Box, 'width' | 'height'>,
  viewport: { width: number; height: number },
): { left: number; top: number } {
  const below = button.bottom + GAP;
  const above = button.top - GAP - menu.height;
  const fitsBelow = below + menu.height <= viewport.height - MARGIN;
  const top = fitsBelow || above < MARGIN ? below : above;
  const maxTop = Math.max(MARGIN, viewport.height - MARGIN - menu.height);
  const maxLeft = Math.max(MARGIN, viewport.width - MARGIN - menu.width);
  return {
    left: Math.round(Math.min(maxLeft, Math.max(MARGIN, button.right - menu.width))),
    top: Math.round(Math.min(maxTop, Math.max(MARGIN, top))),
  };
}
