// The desktop's "team engine" setting, main-process side, under Node against the fake `electron`
// module: the desktop app (its own embedded engine) and a second, real engine listening on its own
// port as the team's. Test connection, connect through the relay (API, events, CSP), the choice
// kept across a restart with the key sealed, the way back, and a team engine that goes away.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppConfig, TeamEngineView, TeamTestResult } from '../../shared/ipc.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { startServer, type RunningServer } from '../../electron/server/serve.ts';
import {
  loadTeamSettings,
  parseTeamUrl,
  saveTeamSettings,
} from '../../electron/main/team-settings.ts';
import { isRelayDownload } from '../../electron/main/security.ts';
import { tempDir } from '../helpers/context.ts';
import { app, fake, ipcMain } from './fake-electron.ts';
import { boot, shutDown, type Booted } from './desktop-harness.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

const TEAM_KEY = 'em_team_key_0123456789abcdef0123';
let team: RunningServer;
let teamDir: string;
let notEngine: Server;
let notEngineUrl: string;
let b: Booted | null = null;

beforeAll(async () => {
  teamDir = tempDir('em-team-');
  team = await startServer({
    dataDir: teamDir,
    port: 0,
    envKey: TEAM_KEY,
    demoRows: 300,
    logger: silentLogger,
    version: '9.9.9-team',
    staticDir: null,
  });
  notEngine = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<h1>Welcome to nginx</h1>');
  });
  await new Promise<void>((r) => notEngine.listen(0, '127.0.0.1', r));
  notEngineUrl = `http://127.0.0.1:${(notEngine.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await team?.close();
  rmSync(teamDir, { recursive: true, force: true });
  await new Promise((r) => notEngine?.close(r));
});
afterEach(async () => {
  await shutDown(b?.dataDir);
  b = null;
});

const call = <T>(channel: string, ...args: unknown[]) =>
  ipcMain.invoke(channel, b!.frame, ...args) as Promise<T>;
const config = () => ipcMain.sendSync('app:config', b!.frame) as AppConfig;
/** A call from the app window's page to whatever its config names, as api.ts makes it. */
const pageFetch = (c: AppConfig, path: string, init: RequestInit = {}) =>
  fetch(`${c.apiBaseUrl}${path}`, {
    ...init,
    headers: {
      origin: b!.origin,
      authorization: `Bearer ${c.apiKey}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
const teamExports = async () =>
  (
    (await (
      await fetch(`${team.url}/v1/exports?limit=1000`, {
        headers: { authorization: `Bearer ${TEAM_KEY}` },
      })
    ).json()) as { data: { id: string; name: string }[] }
  ).data;

describe('Test connection', () => {
  it('tells a working engine, a wrong key, no engine, an unreachable one and a bad URL apart', async () => {
    b = await boot();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));

    const ok = await call<TeamTestResult>('team:test', { url: team.url, apiKey: TEAM_KEY });
    expect(ok, ok.message).toMatchObject({ kind: 'reachable', version: '9.9.9-team' });
    const wrong = await call<TeamTestResult>('team:test', { url: team.url, apiKey: 'em_nope' });
    expect(wrong.kind).toBe('wrong-key');
    expect(wrong.message).toContain('refused this API key');
    const nginx = await call<TeamTestResult>('team:test', { url: notEngineUrl, apiKey: 'k' });
    expect(nginx.kind).toBe('not-engine');
    expect(nginx.message).toContain('HTTP 200, text/html');
    const gone = await call<TeamTestResult>('team:test', { url: closedUrl, apiKey: 'k' });
    expect(gone.kind).toBe('unreachable');
    expect(gone.message).toMatch(/ECONNREFUSED/);
    const bad = await call<TeamTestResult>('team:test', { url: 'ftp://x', apiKey: 'k' });
    expect(bad).toEqual({
      kind: 'invalid',
      message: 'The URL must start with http:// or https://, not ftp://.',
    });
    // Testing changes nothing: the window still uses this computer's engine.
    expect(config().engine).toEqual({ kind: 'local' });
    await expect(ipcMain.invoke('team:test', b.frame, { url: 1 })).rejects.toThrow(
      'IPC refused: bad arguments for team:test.',
    );
  });

  it('forgets a key another keychain sealed (a copied folder), keeping the URL to reconnect', () => {
    const dir = tempDir('em-team-settings-');
    const box = (tag: string) => ({
      kind: 'safeStorage',
      encrypt: (plain: string) => `${tag}:${Buffer.from(plain).toString('base64')}`,
      decrypt: (sealed: string) => {
        if (!sealed.startsWith(`${tag}:`)) throw new Error('not sealed by this keychain');
        return Buffer.from(sealed.slice(tag.length + 1), 'base64').toString();
      },
    });
    saveTeamSettings(dir, box('a'), { url: 'https://x.example', apiKey: 'em_k', connected: true });
    expect(loadTeamSettings(dir, box('a'))).toEqual({
      url: 'https://x.example',
      apiKey: 'em_k',
      connected: true,
    });
    expect(loadTeamSettings(dir, box('b'))).toEqual({
      url: 'https://x.example',
      apiKey: null,
      connected: false,
    });
    expect(loadTeamSettings(dir, null)).toMatchObject({ apiKey: null, connected: false });
    rmSync(dir, { recursive: true, force: true });
  });

  it('normalises URLs and refuses what cannot be one', () => {
    expect(parseTeamUrl(' exports.example.com/em/ ').href).toBe('https://exports.example.com/em');
    expect(() => parseTeamUrl('https://u:p@x.example')).toThrow('API key in its own field');
    expect(() => parseTeamUrl('https://x.example/?a=1')).toThrow('must not have a query');
  });
});

describe('Connected to a team engine', () => {
  it('relays the whole API and its events, keeps the choice sealed across a restart, and comes back', async () => {
    b = await boot();
    const local = config();
    const refused = await call<TeamTestResult>('team:connect', { url: team.url, apiKey: 'bad' });
    expect(refused.kind).toBe('wrong-key');
    expect(config().engine.kind).toBe('local');

    const result = await call<TeamTestResult>('team:connect', { url: team.url, apiKey: TEAM_KEY });
    expect(result.kind).toBe('reachable');
    const c = config();
    expect(c.engine).toEqual({ kind: 'team', url: team.url, host: new URL(team.url).host });
    expect(c.apiBaseUrl).not.toBe(local.apiBaseUrl);
    expect(c.apiKey).not.toBe(TEAM_KEY); // the page never holds the team key
    expect(await call<TeamEngineView>('team:get')).toEqual({
      url: team.url,
      hasKey: true,
      connected: true,
      keyStorage: 'keychain',
    });

    // The page's CSP lets it call the relay, and only that is added.
    const headers = await new Promise<Record<string, string[]>>((resolve) =>
      fake.headersReceived!.listener(
        {
          url: `${b!.origin}/`,
          responseHeaders: {
            'Content-Security-Policy': ["default-src 'self'; connect-src 'self'"],
          },
        },
        (r) => resolve(r.responseHeaders!),
      ),
    );
    expect(headers['Content-Security-Policy']).toEqual([
      `default-src 'self'; connect-src 'self' ${c.apiBaseUrl}`,
    ]);
    // Any other site's answer passes as it came.
    const foreign = await new Promise<{ responseHeaders?: Record<string, string[]> }>((resolve) =>
      fake.headersReceived!.listener(
        {
          url: 'https://example.com/',
          responseHeaders: { 'Content-Security-Policy': ["connect-src 'self'"] },
        },
        resolve,
      ),
    );
    expect(foreign).toEqual({});

    // Events through the relay (EventSource's token in the query), then an export created there.
    const events = await pageFetch(
      { ...c, apiKey: '' },
      `/v1/events?relay_token=${encodeURIComponent(c.apiKey)}`,
    );
    expect(events.status).toBe(200);
    expect(events.headers.get('access-control-allow-origin')).toBe(b.origin);
    const created = await pageFetch(c, '/v1/exports', {
      method: 'POST',
      body: JSON.stringify({ dataset: 'leads', name: 'Team export', format: 'csv' }),
    });
    expect(created.status).toBe(202);
    const exp = ((await created.json()) as { data: { id: string } }).data;
    const reader = events.body!.getReader();
    let seen = '';
    while (!seen.includes(`"id":"${exp.id}"`) || !seen.includes('"status":"completed"'))
      seen += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect((await teamExports()).map((e) => e.id)).toContain(exp.id);
    // A download link carries the token in its query (a link sends no header): 302 to the team
    // engine's own signed link, whose bytes are the file.
    const dl = await fetch(
      `${c.apiBaseUrl}/v1/exports/${exp.id}/download?relay_token=${encodeURIComponent(c.apiKey)}`,
      { redirect: 'manual' },
    );
    expect(dl.status).toBe(302);
    const signed = dl.headers.get('location')!;
    expect(signed.startsWith(`${team.url}/files/`)).toBe(true);
    expect((await (await fetch(signed)).arrayBuffer()).byteLength).toBeGreaterThan(100);
    expect(isRelayDownload(`${c.apiBaseUrl}/v1/exports/${exp.id}/download?x=1`, c.apiBaseUrl)).toBe(
      true,
    );
    expect(isRelayDownload(`${c.apiBaseUrl}/v1/exports`, c.apiBaseUrl)).toBe(false);
    // The window follows a Download link to the relay (the file then downloads), nothing else of it.
    const wc = b.window.webContents;
    expect(wc.navigate(`${c.apiBaseUrl}/v1/exports/${exp.id}/download?relay_token=t`)).toBe(true);
    expect(wc.navigate(`${c.apiBaseUrl}/v1/exports`)).toBe(false);
    expect(wc.navigate(`${team.url}/v1/exports/${exp.id}/download`)).toBe(false);
    // Any other route refuses the token in the query.
    const queried = await fetch(
      `${c.apiBaseUrl}/v1/exports?relay_token=${encodeURIComponent(c.apiKey)}`,
    );
    expect(queried.status).toBe(401);
    const localList = (await (await b.api('/v1/exports')).json()) as { data: { id: string }[] };
    expect(localList.data.map((e) => e.id)).not.toContain(exp.id);

    // Only the app window, with its token, on the relay's own address.
    expect((await pageFetch({ ...c, apiKey: 'x' }, '/v1/exports')).status).toBe(401);
    expect(
      (await pageFetch(c, '/v1/exports', { headers: { origin: 'https://evil.example' } })).status,
    ).toBe(403);
    const preflight = await fetch(`${c.apiBaseUrl}/v1/exports`, {
      method: 'OPTIONS',
      headers: { origin: b.origin, 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');

    // Kept across a restart, the key sealed by the keychain, never in the file as it is.
    const file = readFileSync(join(b.dataDir, 'team-engine.json'), 'utf8');
    expect(file).not.toContain(TEAM_KEY);
    expect(JSON.parse(file)).toMatchObject({ url: team.url, connected: true });
    expect(statSync(join(b.dataDir, 'team-engine.json')).mode & 0o777).toBe(0o600);
    app.quit();
    expect(await app.exited()).toBe(0);
    b = await boot(b.dataDir);
    const again = config();
    expect(again.engine.kind).toBe('team');
    const list = (await (await pageFetch(again, '/v1/exports')).json()) as {
      data: { id: string }[];
    };
    expect(list.data.map((e) => e.id)).toContain(exp.id);

    // "Use this computer's engine": the relay closes, URL and key stay for the next Connect.
    await call('team:disconnect');
    expect(config()).toEqual({
      apiBaseUrl: b.origin,
      apiKey: readFileSync(join(b.dataDir, 'api-key'), 'utf8').trim(),
      engine: { kind: 'local' },
    });
    await expect(fetch(`${again.apiBaseUrl}/healthz`)).rejects.toThrow();
    expect(await call<TeamEngineView>('team:get')).toMatchObject({
      url: team.url,
      hasKey: true,
      connected: false,
    });
    // Connect again with the key field left empty: the saved key is used.
    expect((await call<TeamTestResult>('team:connect', { url: team.url, apiKey: '' })).kind).toBe(
      'reachable',
    );
  });

  it('answers 502 with the reason while the team engine is away, and keeps the key in a 0600 file without a keychain', async () => {
    const awayDir = tempDir('em-team-away-');
    const away = await startServer({
      dataDir: awayDir,
      port: 0,
      envKey: TEAM_KEY,
      demoRows: 0,
      logger: silentLogger,
      version: '9.9.9-team',
      staticDir: null,
    });
    // No keychain on this machine: the key is kept in the file, readable by this user only.
    b = await boot(undefined, undefined, () => (fake.keychain = null));
    expect((await call<TeamEngineView>('team:get')).keyStorage).toBe('file');
    await call('team:connect', { url: away.url, apiKey: TEAM_KEY });
    const stored = JSON.parse(readFileSync(join(b.dataDir, 'team-engine.json'), 'utf8')) as {
      key: { sealed: string; value: string };
    };
    expect(stored.key).toEqual({ sealed: 'none', value: TEAM_KEY });
    const c = config();
    await away.close();
    rmSync(awayDir, { recursive: true, force: true });
    const res = await pageFetch(c, '/healthz');
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('TEAM_ENGINE_UNREACHABLE');
    expect(body.error.message).toMatch(
      new RegExp(`The team engine at ${new URL(away.url).host} is not answering: .*ECONNREFUSED`),
    );
  });
});
