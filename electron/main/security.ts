// The window's security settings, as pure data and functions so a Node test can assert them.
import type { WebPreferences } from 'electron';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

/** Only our own server's pages may be shown in the window. */
export function isOwnUrl(url: string, serverOrigin: string): boolean {
  try {
    return new URL(url).origin === serverOrigin;
  } catch {
    return false;
  }
}

/** Minimal view of an IPC event's sender, for the check below. */
export interface IpcSenderView {
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/** IPC is answered only for the top frame of our own page; foreign frames and iframes are refused. */
export function isTrustedSender(event: IpcSenderView, serverOrigin: string): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isOwnUrl(frame.url, serverOrigin);
}

/** What to do when the page asks to open a window: never a new app window; web links go to the browser. */
export function windowOpenDecision(
  url: string,
  serverOrigin: string,
): { action: 'deny'; openExternally: boolean } {
  let external = false;
  try {
    const u = new URL(url);
    external = (u.protocol === 'https:' || u.protocol === 'http:') && u.origin !== serverOrigin;
  } catch {
    external = false;
  }
  return { action: 'deny', openExternally: external };
}

/** Web permissions (camera, notifications, geolocation, ...) are never granted to the page. */
export const permissionDecision = (_permission: string): boolean => false;

/**
 * The page's response headers with the team relay (a loopback port of ours) added to the CSP's
 * connect-src, so the page may call it; nothing else of the policy changes. Without a relay (this
 * computer's engine) the headers are returned as they are.
 */
export function withRelayInCsp(
  headers: Record<string, string[]>,
  relayOrigin: string | null,
): Record<string, string[]> {
  if (!relayOrigin) return headers;
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers))
    out[name] =
      name.toLowerCase() === 'content-security-policy'
        ? values.map((csp) =>
            csp.replace(/(^|;\s*)connect-src ([^;]*)/, (_m, lead: string, list: string) =>
              list.split(/\s+/).includes(relayOrigin)
                ? `${lead}connect-src ${list}`
                : `${lead}connect-src ${list} ${relayOrigin}`,
            ),
          )
        : values;
  return out;
}

/** A download link of the team relay (an export's file, answered by a 302 to the engine's link). */
export function isRelayDownload(url: string, relayOrigin: string | null): boolean {
  if (!relayOrigin) return false;
  try {
    const u = new URL(url);
    return u.origin === relayOrigin && /^\/v1\/exports\/[^/]+\/download$/.test(u.pathname);
  } catch {
    return false;
  }
}
