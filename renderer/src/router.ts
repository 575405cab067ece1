// Hash routes: #/exports, #/exports/<id>, #/exports/new, #/schedules/new?from=<export id>, ...
import { useEffect, useState } from 'react';

export const screens = ['exports', 'datasets', 'providers', 'schedules', 'settings'] as const;
export type Screen = (typeof screens)[number];

export interface Route {
  readonly screen: Screen;
  /** The second path segment: an id, or "new". */
  readonly sub: string | null;
  /** The third path segment, e.g. "edit". */
  readonly action: string | null;
  readonly query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', qs = ''] = hash.replace(/^#\/?/, '').split('?');
  const [first, second, third] = path.split('/');
  const screen = screens.includes(first as Screen) ? (first as Screen) : 'exports';
  return {
    screen,
    sub: screen === first && second ? decodeURIComponent(second) : null,
    action: screen === first && second && third ? third : null,
    query: new URLSearchParams(qs),
  };
}

export function navigate(path: string): void {
  window.location.hash = path.startsWith('#') ? path : `#/${path.replace(/^\//, '')}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}
