// Seals provider credentials at rest: the Electron shell passes a keychain box, `serve` uses a key file.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { removeTornBeside, writeFileAtomic } from '../safety/atomic-file.ts';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';

/** Encrypts and decrypts short secrets; `kind` is stored beside each sealed value. */
export interface SecretBox {
  readonly kind: string;
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

const KEY_FILE = 'credentials.key';
const VERSION = 'v1';

/**
 * AES-256-GCM with a random key kept in `<dataDir>/credentials.key` (mode 0600). The key is read
 * (or created) on first use, so a data folder without providers never gets one.
 */
export function createKeyFileSecretBox(dataDir: string, logger: Logger): SecretBox {
  let key: Buffer | null = null;
  const path = join(dataDir, KEY_FILE);

  function loadKey(): Buffer {
    if (key) return key;
    logger.warn(
      `Provider credentials are encrypted with a key kept in ${path} (readable by this user only); ` +
        'the OS keychain is not used here.',
    );
    removeTornBeside(path);
    let raw = existsSync(path) ? Buffer.from(readFileSync(path, 'utf8').trim(), 'base64') : null;
    if (raw !== null && raw.length !== 32) {
      // Empty or torn (an older version killed while creating it): nothing sealed with it can be
      // opened, so it is kept aside for inspection and a whole new key takes its place.
      const aside = `${path}.damaged-${Date.now()}`;
      renameSync(path, aside);
      logger.warn(
        `${path} was not a credentials key (empty or torn); kept as ${aside} and replaced. ` +
          'Providers whose credentials were sealed with it need their credentials entered again.',
      );
      raw = null;
    }
    if (raw === null) {
      // Beside, fsynced, then linked into place: a crash never leaves an empty key file, and of
      // two first uses at once the first key written is the one both keep.
      writeFileAtomic(path, randomBytes(32).toString('base64') + '\n', {
        mode: 0o600,
        exclusive: true,
        crashAt: 'credentials-key:beside-written',
      });
      raw = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    }
    // A key file copied around with looser permissions is tightened rather than refused.
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    if (raw.length !== 32)
      throw new Error(`${path} is not a credentials key (expected 32 bytes, base64).`);
    key = raw;
    return key;
  }

  return sealWith('keyfile', loadKey);
}

/**
 * A team's engines share one key (EXPORT_MANAGER_TEAM_KEY, derived in team-key.ts), so credentials
 * sealed by one process open in every other.
 */
export function createTeamKeySecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('The credentials key must be 32 bytes.');
  return sealWith('team-key', () => key);
}

function sealWith(kind: SecretBox['kind'], loadKey: () => Buffer): SecretBox {
  return {
    kind,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', loadKey(), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(sealed) {
      const [version, data] = sealed.split(':', 2);
      if (version !== VERSION || !data)
        throw new Error('The sealed credential has an unknown format.');
      const buf = Buffer.from(data, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', loadKey(), buf.subarray(0, 12));
      decipher.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
