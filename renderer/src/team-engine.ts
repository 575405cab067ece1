// Which engine the page talks to, and the words of the "Team engine" setting. The desktop shell
// decides (preload config); the browser tab always talks to the engine that served it.
import type {
  DesktopBridge,
  EngineChoice,
  TeamEngineView,
  TeamTestKind,
  TeamTestResult,
} from '../../shared/ipc.ts';

const bridge = (): DesktopBridge | undefined => window.exportManager;

/** The engine this page uses: a team's (through the desktop's relay) or this computer's. */
export function currentEngine(): EngineChoice {
  return bridge()?.engine ?? { kind: 'local' };
}

/** The desktop bridge when it can switch engines (the browser tab cannot). */
export function teamBridge(): DesktopBridge | null {
  const b = bridge();
  return b && typeof b.teamEngine === 'function' ? b : null;
}

/** Where API paths go: the relay's address on a team engine, else this page's own origin. */
export function apiUrl(path: string): string {
  const b = bridge();
  return b?.engine?.kind === 'team' ? `${b.apiBaseUrl}${path}` : path;
}

/** The event stream: EventSource sends no header, so on the relay its token rides in the query. */
export function eventsUrl(): string {
  const b = bridge();
  return b?.engine?.kind === 'team'
    ? `${b.apiBaseUrl}/v1/events?relay_token=${encodeURIComponent(b.apiKey)}`
    : '/v1/events';
}

/** An export's download link (file `file` of several): the relay's on a team engine, with its
 * token in the query as a link cannot send a header. */
export function downloadUrl(id: string, file?: number): string {
  const b = bridge();
  const path = `/v1/exports/${encodeURIComponent(id)}/download`;
  const query = new URLSearchParams();
  if (file !== undefined) query.set('file', String(file));
  if (b?.engine?.kind === 'team') query.set('relay_token', b.apiKey);
  const qs = query.toString();
  return `${apiUrl(path)}${qs ? `?${qs}` : ''}`;
}

export const resultTitle: Record<TeamTestKind, string> = {
  reachable: 'Reachable',
  'wrong-key': 'Wrong API key',
  'not-engine': 'Not an Export Manager engine',
  unreachable: 'Unreachable',
  invalid: 'Check the form',
};

export const resultTone = (r: TeamTestResult): 'ok' | 'error' =>
  r.kind === 'reachable' ? 'ok' : 'error';

/** What is missing before asking main at all; null when the form can be sent. */
export function teamFormProblem(
  url: string,
  key: string,
  view: TeamEngineView | null,
): { field: 'url' | 'key'; message: string } | null {
  if (!url.trim())
    return {
      field: 'url',
      message: 'Enter the team engine’s URL, e.g. https://exports.example.com.',
    };
  const sameAsSaved = view?.url != null && sameUrl(url, view.url);
  if (!key.trim() && !(view?.hasKey && sameAsSaved))
    return { field: 'key', message: 'Enter the team engine’s API key.' };
  return null;
}

function sameUrl(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b) || norm(`https://${a}`) === norm(b);
}

/** Where the engine's paths (datasets to import, destination folders) are, in words. */
export function pathsAreOn(): string {
  const engine = currentEngine();
  return engine.kind === 'team' ? `the team engine’s machine (${engine.host})` : 'this computer';
}

/** The header's words for where the window's data comes from. */
export function engineLabel(engine: EngineChoice): string | null {
  return engine.kind === 'team' ? `Team engine: ${engine.host}` : null;
}
