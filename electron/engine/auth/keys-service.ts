// API keys (stored hashed, compared in constant time), browser sessions and one-time tokens.
import { hash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { removeTornBeside, writeFileAtomic } from '../safety/atomic-file.ts';
import { join } from 'node:path';
import { ApiError } from '../../../shared/errors.ts';
import type { ApiKey } from '../../../shared/schemas/system.ts';
import { iso, isoOrNull } from '../clock.ts';
import type { EngineContext } from '../context.ts';
import { newId } from '../ids.ts';
import { immediate } from '../store/db.ts';
import { isShared } from '../store/store-db.ts';

// One-shot hash: no Hash object per request.
// Hex digests: a string per request instead of a Buffer (an ArrayBuffer costs more than the hash).
const sha256 = (s: string): string => hash('sha256', s, 'hex');

/** Constant-time comparison of two digests of the same length. */
export function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
const KEY_PREFIX = 'em_';
const TOKEN_TTL_MS = 24 * 3600_000;
const SESSION_TTL_MS = 30 * 24 * 3600_000;

export const newSecret = (prefix: string): string => prefix + randomBytes(24).toString('base64url');

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: number;
  last_used_at: number | null;
}

export interface KeysService {
  /** Where the key of this run comes from, for the start-up line (never the key itself from the env). */
  readonly keySource: { kind: 'env' } | { kind: 'file'; path: string };
  /** True when the presented bearer key is valid; constant-time against every known hash. */
  verifyKey(presented: string): boolean;
  list(): ApiKey[];
  create(name: string): ApiKey;
  revoke(id: string): void;
  /** A one-time token for the browser tab; exchanged once for a session. */
  issueToken(): string;
  /** Consumes a token; returns a new session id for the cookie, or null when the token is unknown, used or stale. */
  exchangeToken(token: string): string | null;
  verifySession(sessionId: string): boolean;
  endSession(sessionId: string): void;
}

export function createKeysService(
  ctx: EngineContext,
  opts: { envKey?: string | undefined },
): KeysService {
  const { db, clock } = ctx;
  const tokens = new Map<string, number>(); // sha256(token) hex -> expiry
  const envHash = opts.envKey ? sha256(opts.envKey) : null;

  let keySource: KeysService['keySource'];
  if (envHash) {
    keySource = { kind: 'env' };
  } else {
    const path = join(ctx.paths.dataDir, 'api-key');
    removeTornBeside(path);
    const existing = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
    if (existsSync(path) && existing === '')
      // Empty (an older version killed while creating it): no key can match it.
      ctx.logger.warn(`${path} held no usable API key; a new one is written there`);
    if (existing === '') {
      const key = newSecret(KEY_PREFIX);
      // Beside, fsynced, renamed: a crash leaves the old state or the whole key, never a stub.
      writeFileAtomic(path, key + '\n', { mode: 0o600, crashAt: 'api-key:beside-written' });
      insertKey('default (api-key file)', key);
    } else {
      chmodSync(path, 0o600);
      const known = db.prepare('SELECT 1 FROM api_keys WHERE key_hash = ?').get(sha256(existing));
      if (!known) insertKey('default (api-key file)', existing);
    }
    keySource = { kind: 'file', path };
  }

  function insertKey(name: string, key: string): KeyRow {
    const row: KeyRow = {
      id: newId(clock.now()),
      name,
      prefix: key.slice(0, KEY_PREFIX.length + 4),
      key_hash: sha256(key),
      created_at: clock.now(),
      last_used_at: null,
    };
    immediate(db, () =>
      db
        .prepare(
          'INSERT INTO api_keys (id, name, prefix, key_hash, created_at) VALUES (@id, @name, @prefix, @key_hash, @created_at)',
        )
        .run(row),
    );
    return row;
  }

  // Active key hashes, cached: verifyKey runs on every request. Not on a shared store: a key
  // revoked through another engine must stop working here at once.
  let cache: { id: string; hash: string }[] | null = null;
  const readHashes = () =>
    (
      db.prepare('SELECT id, key_hash FROM api_keys WHERE revoked_at IS NULL').all() as {
        id: string;
        key_hash: string;
      }[]
    ).map((r) => ({ id: r.id, hash: r.key_hash }));
  const activeHashes = () => (isShared(db) ? readHashes() : (cache ??= readHashes()));
  const touch = db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  let lastTouch = 0;

  const toApi = (r: KeyRow): ApiKey => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    created_at: iso(r.created_at),
    last_used_at: isoOrNull(r.last_used_at),
  });

  return {
    keySource,
    verifyKey(presented) {
      if (!presented || presented.length > 512) return false;
      const h = sha256(presented);
      let ok = false;
      if (envHash && sameDigest(h, envHash)) ok = true;
      for (const row of activeHashes()) {
        if (sameDigest(h, row.hash)) {
          ok = true;
          // Coarse last-used stamp: not a write per request.
          if (clock.now() - lastTouch > 60_000) {
            lastTouch = clock.now();
            touch.run(clock.now(), row.id);
          }
        }
      }
      return ok;
    },
    list() {
      return (
        db
          .prepare('SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at')
          .all() as KeyRow[]
      ).map(toApi);
    },
    create(name) {
      const key = newSecret(KEY_PREFIX);
      cache = null;
      return { ...toApi(insertKey(name, key)), key };
    },
    revoke(id) {
      const res = immediate(db, () =>
        db
          .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
          .run(clock.now(), id),
      );
      cache = null;
      if (res.changes === 0) throw new ApiError('NOT_FOUND', `No API key with id ${id}.`);
    },
    issueToken() {
      const token = randomBytes(24).toString('base64url');
      tokens.set(sha256(token), clock.now() + TOKEN_TTL_MS);
      return token;
    },
    exchangeToken(token) {
      if (!token || token.length > 200) return null;
      const h = sha256(token);
      const expiry = tokens.get(h);
      tokens.delete(h);
      if (expiry === undefined || expiry < clock.now()) return null;
      const session = randomBytes(32).toString('base64url');
      const now = clock.now();
      immediate(db, () => {
        db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
        db.prepare('INSERT INTO sessions (id_hash, created_at, expires_at) VALUES (?, ?, ?)').run(
          sha256(session),
          now,
          now + SESSION_TTL_MS,
        );
      });
      return session;
    },
    verifySession(sessionId) {
      if (!sessionId || sessionId.length > 200) return false;
      const row = db
        .prepare('SELECT expires_at FROM sessions WHERE id_hash = ?')
        .get(sha256(sessionId)) as { expires_at: number } | undefined;
      return row !== undefined && row.expires_at > clock.now();
    },
    endSession(sessionId) {
      immediate(db, () =>
        db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(sha256(sessionId)),
      );
    },
  };
}
