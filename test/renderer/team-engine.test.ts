// Which engine the page talks to (the desktop's choice, from its preload), and the checks and
// words of Settings → Team engine.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DesktopBridge, TeamEngineView } from '../../shared/ipc.ts';
import { ApiFailure, describeError } from '../../renderer/src/api.ts';
import { isDesktop } from '../../renderer/src/desktop.ts';
import {
  apiUrl,
  currentEngine,
  downloadUrl,
  engineLabel,
  eventsUrl,
  pathsAreOn,
  resultTitle,
  resultTone,
  teamBridge,
  teamFormProblem,
} from '../../renderer/src/team-engine.ts';

const team = {
  platform: 'desktop',
  apiBaseUrl: 'http://127.0.0.1:40123',
  apiKey: 'relay+token/=',
  engine: { kind: 'team', url: 'https://exports.example.com/em', host: 'exports.example.com' },
  teamEngine: () => Promise.resolve({} as TeamEngineView),
} as unknown as DesktopBridge;
const local = { ...team, apiBaseUrl: 'http://127.0.0.1:8787', engine: { kind: 'local' } };
const onPage = (bridge: unknown) => vi.stubGlobal('window', { exportManager: bridge });
afterEach(() => vi.unstubAllGlobals());

describe('where the page sends its calls', () => {
  it('goes to the relay on a team engine, with the token in the event stream’s query', () => {
    onPage(team);
    expect(currentEngine()).toEqual(team.engine);
    expect(apiUrl('/v1/exports?limit=5')).toBe('http://127.0.0.1:40123/v1/exports?limit=5');
    expect(eventsUrl()).toBe('http://127.0.0.1:40123/v1/events?relay_token=relay%2Btoken%2F%3D');
    expect(engineLabel(currentEngine())).toBe('Team engine: exports.example.com');
    expect(downloadUrl('ex_1', 2)).toBe(
      'http://127.0.0.1:40123/v1/exports/ex_1/download?file=2&relay_token=relay%2Btoken%2F%3D',
    );
  });

  it('stays on its own origin on this computer’s engine and in the browser tab', () => {
    for (const bridge of [local, undefined]) {
      onPage(bridge);
      expect(apiUrl('/v1/exports')).toBe('/v1/exports');
      expect(eventsUrl()).toBe('/v1/events');
      expect(downloadUrl('ex_1')).toBe('/v1/exports/ex_1/download');
      expect(downloadUrl('ex_1', 0)).toBe('/v1/exports/ex_1/download?file=0');
      expect(engineLabel(currentEngine())).toBeNull();
    }
    expect(teamBridge()).toBeNull(); // the browser tab cannot switch engines
  });

  it('treats a team engine’s paths as its machine’s: no native dialogs or folders for them', () => {
    onPage(local);
    expect(isDesktop()).toBe(true);
    expect(pathsAreOn()).toBe('this computer');
    onPage(team);
    expect(isDesktop()).toBe(false);
    expect(pathsAreOn()).toBe('the team engine’s machine (exports.example.com)');
  });

  it('says which key was refused: the team engine’s, or this tab’s sign-in', () => {
    const refused = new ApiFailure(401, 'UNAUTHORIZED', 'Missing or invalid API key.');
    onPage(team);
    expect(describeError(refused)).toBe(
      'The team engine at exports.example.com refused this app’s API key. Enter a new one in Settings → Team engine.',
    );
    onPage(undefined);
    expect(describeError(refused)).toMatch(/^This tab is not signed in/);
  });
});

describe('the Team engine form', () => {
  const saved: TeamEngineView = {
    url: 'https://exports.example.com',
    hasKey: true,
    connected: false,
    keyStorage: 'keychain',
  };

  it('asks for the URL first, then a key unless the saved one is for that URL', () => {
    expect(teamFormProblem(' ', 'k', null)).toMatchObject({ field: 'url' });
    expect(teamFormProblem('https://a.example', '', null)).toMatchObject({ field: 'key' });
    expect(teamFormProblem('https://exports.example.com/', '', saved)).toBeNull();
    expect(teamFormProblem('exports.example.com', '', saved)).toBeNull();
    expect(teamFormProblem('https://other.example', '', saved)).toMatchObject({ field: 'key' });
    expect(teamFormProblem('https://other.example', 'em_k', saved)).toBeNull();
  });

  it('titles every outcome of Test connection, only "reachable" in the ok tone', () => {
    expect(resultTitle).toEqual({
      reachable: 'Reachable',
      'wrong-key': 'Wrong API key',
      'not-engine': 'Not an Export Manager engine',
      unreachable: 'Unreachable',
      invalid: 'Check the form',
    });
    expect(resultTone({ kind: 'reachable', message: '' })).toBe('ok');
    for (const kind of ['wrong-key', 'not-engine', 'unreachable', 'invalid'] as const)
      expect(resultTone({ kind, message: '' })).toBe('error');
  });
});
