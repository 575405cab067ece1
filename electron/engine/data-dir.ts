// The platform's per-user data folder, shared by `serve` and the desktop app so both see the same jobs.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Export Manager');
  if (platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'Export Manager');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'export-manager');
}
