// Provider credentials sealed by the OS keychain through Electron's safeStorage.
import { safeStorage } from 'electron';

export interface SealingBox {
  readonly kind: string;
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** null when the OS offers no keychain here (the engine then falls back to its key file). */
export function createSafeStorageBox(): SealingBox | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
    return null;
  return {
    kind: 'safeStorage',
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
