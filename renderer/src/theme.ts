// The theme: applied to the page at once (no reload, no wait for "Save") and remembered in this
// browser, so the next start paints in it before the app has asked the engine (public/theme-boot.js).
import type { Settings } from '../../shared/schemas/system.ts';
import { setNativeTheme } from './desktop.ts';

export type Theme = Settings['theme'];

/** The key public/theme-boot.js reads before the first paint. */
export const THEME_KEY = 'export-manager.theme';

export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage can be disabled; the theme still applies to this page.
  }
  setNativeTheme(theme);
}
