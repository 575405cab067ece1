// Paints the page in the theme chosen in Settings from the very first frame: a classic script in
// <head> runs before the body is drawn, unlike the app's module. The app keeps the value fresh
// (renderer/src/theme.ts); without one the system's theme applies through the CSS media query.
/* global document */
try {
  const theme = localStorage.getItem('export-manager.theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {
  // Storage unavailable: the system's theme applies.
}
