// The desktop's "team engine" choice on disk: team-engine.json in the data folder, the key sealed by
// the OS keychain (safeStorage) where there is one, else kept in the file (0600, like api-key).
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SealingBox } from './secret-box.ts';

export interface TeamSettings {
  /** The engine's base URL, normalised (no trailing slash). */
  readonly url: string | null;
  readonly apiKey: string | null;
  readonly connected: boolean;
}

interface StoredFile {
  url?: unknown;
  connected?: unknown;
  key?: { sealed?: unknown; value?: unknown };
}

export const TEAM_SETTINGS_FILE = 'team-engine.json';
const none: TeamSettings = { url: null, apiKey: null, connected: false };

/** A team engine's address, checked and normalised; throws an Error whose message says what is wrong. */
export function parseTeamUrl(text: string): URL {
  const trimmed = text.trim();
  if (!trimmed) throw new Error('Enter the team engine’s URL, e.g. https://exports.example.com.');
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    throw new Error(`“${trimmed}” is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`The URL must start with http:// or https://, not ${url.protocol}//.`);
  if (url.username || url.password)
    throw new Error('Put the API key in its own field, not in the URL.');
  if (url.search || url.hash) throw new Error('The URL must not have a query (?…) or a #fragment.');
  url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  return url;
}

/** The base URL as stored and shown: no trailing slash. */
export const teamBase = (url: URL): string => url.href.replace(/\/+$/, '');

/** An API key as the engine accepts one: printable, no spaces. */
export function checkTeamKey(key: string): string {
  const k = key.trim();
  if (!k) throw new Error('Enter the team engine’s API key.');
  if (!/^[\x21-\x7e]+$/.test(k)) throw new Error('An API key has no spaces or special characters.');
  return k;
}

export function loadTeamSettings(dataDir: string, box: SealingBox | null): TeamSettings {
  let raw: StoredFile;
  try {
    raw = JSON.parse(readFileSync(join(dataDir, TEAM_SETTINGS_FILE), 'utf8')) as StoredFile;
  } catch {
    return none;
  }
  if (typeof raw !== 'object' || raw === null || typeof raw.url !== 'string') return none;
  let url: string;
  try {
    url = teamBase(parseTeamUrl(raw.url));
  } catch {
    return none;
  }
  let apiKey: string | null = null;
  const sealed = raw.key?.sealed;
  const value = raw.key?.value;
  if (typeof value === 'string') {
    if (sealed === 'none') apiKey = value;
    else if (sealed === 'safeStorage' && box) {
      try {
        apiKey = box.decrypt(value);
      } catch {
        // Sealed by another keychain (a copied data folder): the key has to be typed again.
        apiKey = null;
      }
    }
  }
  return { url, apiKey, connected: raw.connected === true && apiKey !== null };
}

/** Writes the choice beside, then renames: a crash leaves the old file or the new, never half. */
export function saveTeamSettings(dataDir: string, box: SealingBox | null, s: TeamSettings): void {
  const file = join(dataDir, TEAM_SETTINGS_FILE);
  if (s.url === null) {
    rmSync(file, { force: true });
    return;
  }
  const key =
    s.apiKey === null
      ? undefined
      : box
        ? { sealed: 'safeStorage', value: box.encrypt(s.apiKey) }
        : { sealed: 'none', value: s.apiKey };
  const tmp = `${file}.${process.pid}.writing`;
  writeFileSync(
    tmp,
    `${JSON.stringify({ url: s.url, connected: s.connected, ...(key ? { key } : {}) }, null, 2)}\n`,
    { mode: 0o600 },
  );
  renameSync(tmp, file);
}
