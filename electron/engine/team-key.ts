// The key every engine process of a team shares (EXPORT_MANAGER_TEAM_KEY: 32 random bytes,
// base64). A solo engine keeps its own keys in its data folder; engines that share a store must
// also open each other's sealed credentials and honour each other's file links, so both keys are
// derived from this one (HKDF-SHA256, one label per use).
import { hkdfSync } from 'node:crypto';

export interface TeamKeys {
  /** AES-256-GCM key for provider credentials (providers/secret-box.ts). */
  readonly credentials: Buffer;
  /** HMAC secret for file links (storage/presigner.ts). */
  readonly links: Buffer;
}

export class TeamKeyError extends Error {
  constructor(why: string) {
    super(
      `EXPORT_MANAGER_TEAM_KEY ${why}. Make one with \`openssl rand -base64 32\` and give the same ` +
        'value to every engine that shares the store.',
    );
    this.name = 'TeamKeyError';
  }
}

export function teamKeys(base64: string | undefined): TeamKeys {
  if (!base64)
    throw new TeamKeyError('is required when the store is shared (--store postgres://…)');
  const raw = Buffer.from(base64.trim(), 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== base64.trim().replace(/\s/g, ''))
    throw new TeamKeyError('must be 32 bytes in base64');
  const derive = (label: string) =>
    Buffer.from(hkdfSync('sha256', raw, 'export-manager', label, 32));
  return { credentials: derive('credentials'), links: derive('links') };
}
