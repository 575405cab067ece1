// Presigned file links (API.md "Presigned files"): HMAC-SHA256 over method, path as sent, expiry.
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../shared/errors.ts';

export type VerifyResult = 'ok' | 'SIGNATURE_INVALID' | 'SIGNATURE_EXPIRED';

export interface Presigner {
  /** The query string for a path: `expires=UNIX&signature=HEX` (the older link form). */
  sign(path: string, expiresUnix: number): string;
  /** The same signature in the path form, ending in the file's own name:
   * `/files/ID/SIGNATURE/EXPIRES/NAME` for the link path `/files/ID/NAME`. */
  signPath(path: string, expiresUnix: number): string;
  /** Checks in API.md's order: a bad or missing signature first, then expiry. */
  verify(
    method: string,
    path: string,
    expires: string | undefined,
    signature: string | undefined,
    nowMs: number,
  ): VerifyResult;
  /** A new secret: every outstanding link stops working. */
  rotate(): void;
}

const SECRET_FILE = 'signing-secret';

function loadSecret(dataDir: string): Buffer {
  const file = join(dataDir, SECRET_FILE);
  if (existsSync(file)) {
    const hex = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  }
  return writeSecret(dataDir);
}

function writeSecret(dataDir: string): Buffer {
  const secret = randomBytes(32);
  const file = join(dataDir, SECRET_FILE);
  writeFileSync(file + '.tmp', secret.toString('hex') + '\n', { mode: 0o600 });
  renameSync(file + '.tmp', file);
  return secret;
}

/**
 * `teamSecret`: the secret every engine of a team shares (team-key.ts), so a link one process
 * signed is honoured by all; it changes only with the team key, so rotate() refuses.
 */
export function createPresigner(dataDir: string, teamSecret?: Buffer): Presigner {
  // A KeyObject made once: createHmac with raw bytes re-imports the key on every call.
  let secret = createSecretKey(teamSecret ?? loadSecret(dataDir));
  const mac = (method: string, path: string, expires: string) =>
    createHmac('sha256', secret).update(`${method}\n${path}\n${expires}`).digest();

  // Links minted in the same second are identical: a poll loop reuses the last signature per path.
  const recent = new Map<string, string>();
  const signature = (path: string, expires: string): string => {
    const key = `${path}?${expires}`;
    let hex = recent.get(key);
    if (hex === undefined) {
      hex = mac('GET', path, expires).toString('hex');
      if (recent.size >= 1000) recent.clear();
      recent.set(key, hex);
    }
    return hex;
  };
  return {
    sign(path, expiresUnix) {
      const expires = String(Math.floor(expiresUnix));
      return `expires=${expires}&signature=${signature(path, expires)}`;
    },
    signPath(path, expiresUnix) {
      const expires = String(Math.floor(expiresUnix));
      const cut = path.lastIndexOf('/');
      return `${path.slice(0, cut)}/${signature(path, expires)}/${expires}${path.slice(cut)}`;
    },
    verify(method, path, expires, signature, nowMs) {
      if (
        !expires ||
        !/^\d{1,12}$/.test(expires) ||
        !signature ||
        !/^[0-9a-f]{64}$/i.test(signature)
      ) {
        return 'SIGNATURE_INVALID';
      }
      const m = method === 'HEAD' ? 'GET' : method;
      const expected = mac(m, path, expires);
      if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'SIGNATURE_INVALID';
      if (Number(expires) * 1000 < nowMs) return 'SIGNATURE_EXPIRED';
      return 'ok';
    },
    rotate() {
      if (teamSecret)
        throw new ApiError(
          'CONFLICT',
          'This engine signs links with the team key (EXPORT_MANAGER_TEAM_KEY): give every engine of the team a new key to invalidate all links.',
        );
      secret = createSecretKey(writeSecret(dataDir));
      recent.clear();
    },
  };
}
