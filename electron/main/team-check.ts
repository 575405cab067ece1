// "Test connection": is there an Export Manager engine at this URL, and does it take this key?
// Asked from the main process (plain Node: no browser Origin, no CORS), /healthz then a keyed route.
import type { TeamTestResult } from '../../shared/ipc.ts';
import { checkTeamKey, parseTeamUrl, teamBase } from './team-settings.ts';

export const TEAM_CHECK_TIMEOUT_MS = 8000;

/** The words of a failed request: the cause's own text ("connect ECONNREFUSED 10.0.0.5:8787"). */
export function networkErrorText(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { message?: string; code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = e.cause?.message ?? e.cause?.code;
  return cause ? cause : (e.message ?? String(err));
}

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly json: unknown;
}

async function get(url: string, key: string | null, timeoutMs: number): Promise<Answer> {
  const res = await fetch(url, {
    headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  let json: unknown = null;
  try {
    json = type.includes('json') ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, type, json };
}

const envelope = (json: unknown): { code: string; message: string } | null => {
  const e = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return e && typeof e.code === 'string' && typeof e.message === 'string'
    ? { code: e.code, message: e.message }
    : null;
};

const answered = (a: Answer) => `HTTP ${a.status}${a.type ? `, ${a.type.split(';')[0]}` : ''}`;

/** Checks the engine at `urlText` with `keyText`; never throws: every outcome is a result. */
export async function testTeamEngine(
  urlText: string,
  keyText: string,
  timeoutMs = TEAM_CHECK_TIMEOUT_MS,
): Promise<TeamTestResult> {
  let base: string;
  let key: string;
  try {
    base = teamBase(parseTeamUrl(urlText));
    key = checkTeamKey(keyText);
  } catch (err) {
    return { kind: 'invalid', message: (err as Error).message };
  }
  const host = new URL(base).host;
  let health: Answer;
  try {
    health = await get(`${base}/healthz`, null, timeoutMs);
  } catch (err) {
    return {
      kind: 'unreachable',
      message: `Cannot reach ${host}: ${networkErrorText(err, timeoutMs)}.`,
    };
  }
  const refusal = envelope(health.json);
  if (refusal?.code === 'FORBIDDEN_HOST')
    return {
      kind: 'unreachable',
      message: `The engine at ${host} refuses requests addressed to it by that name (FORBIDDEN_HOST: ${refusal.message}). Reach it through the address its operator gives, e.g. a reverse proxy.`,
    };
  const h = (health.json as { data?: { status?: unknown; version?: unknown } } | null)?.data;
  if (
    health.status !== 200 ||
    !h ||
    (h.status !== 'ok' && h.status !== 'starting') ||
    typeof h.version !== 'string'
  )
    return {
      kind: 'not-engine',
      message: `${host} answered, but not as an Export Manager engine (/healthz: ${answered(health)}).`,
    };
  let keyed: Answer;
  try {
    keyed = await get(`${base}/v1/exports?limit=1`, key, timeoutMs);
  } catch (err) {
    return {
      kind: 'unreachable',
      message: `${host} answered /healthz, then stopped answering: ${networkErrorText(err, timeoutMs)}.`,
    };
  }
  const err = envelope(keyed.json);
  if (keyed.status === 401)
    return {
      kind: 'wrong-key',
      message: `The engine at ${host} (version ${h.version}) refused this API key${err ? `: ${err.message}` : '.'}`,
    };
  if (keyed.status !== 200 || !Array.isArray((keyed.json as { data?: unknown } | null)?.data))
    return err
      ? {
          kind: 'unreachable',
          message: `The engine at ${host} answered ${keyed.status} ${err.code}: ${err.message}`,
        }
      : {
          kind: 'not-engine',
          message: `${host} answered /healthz, but its API did not answer as Export Manager’s (/v1/exports: ${answered(keyed)}).`,
        };
  return {
    kind: 'reachable',
    version: h.version,
    message: `The Export Manager engine at ${host} (version ${h.version}) answers and takes this key.`,
  };
}
