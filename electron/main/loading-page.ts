// What the window shows from the moment it opens until the engine is ready: the app's frame (the
// sidebar and the page area) with "Starting…", as a self-contained page (no script, no network), so
// the window is up in the time Electron takes to paint it rather than after the store and the API.

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; display: flex; height: 100vh; background: Canvas; color: CanvasText; }
  nav { width: 220px; padding: 16px; border-right: 1px solid color-mix(in srgb, CanvasText 15%, transparent); }
  nav b { display: block; font-size: 15px; margin-bottom: 20px; }
  nav span { display: block; height: 12px; margin: 14px 0; border-radius: 6px;
    background: color-mix(in srgb, CanvasText 10%, transparent); }
  main { flex: 1; display: flex; align-items: center; justify-content: center; }
  p { font-size: 14px; opacity: 0.75; }
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A data: URL of the starting page; `version` is shown beside the name. */
export function loadingPageUrl(version: string): string {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Export Manager</title><style>${STYLE}</style></head>
<body><nav><b>Export Manager ${escapeHtml(version)}</b><span></span><span></span><span></span><span></span></nav>
<main><p role="status">Starting the export engine…</p></main></body></html>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}

/** Whether a URL is the starting page (it is replaced by the app once the engine is up). */
export function isLoadingPage(url: string): boolean {
  return url.startsWith('data:text/html;charset=utf-8,');
}
