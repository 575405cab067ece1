// Seals provider credentials at rest: the Electron shell passes a keychain box, `serve` uses a key file.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
    try {
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // A key file copied around with looser permissions is tightened rather than refused.
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    const raw = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (raw.length !== 32)
      throw new Error(`${path} is not a credentials key (expected 32 bytes, base64).`);
    key = raw;
    return key;
  }

  return {
    kind: 'keyfile',
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
