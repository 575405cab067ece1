// What the desktop app tells the user when it cannot start, in words for someone who double-clicked
// an icon (no command-line flags).
import { DataFolderLockedError } from '../engine/safety/data-folder-lock.ts';

export function startFailureText(err: unknown, dataDir: string): string {
  if (err instanceof DataFolderLockedError) {
    const h = err.holder;
    const who = !h
      ? 'another Export Manager'
      : h.shell === 'desktop app'
        ? `another Export Manager window (pid ${h.pid}, since ${h.since})`
        : `Export Manager running as \`export-manager ${h.shell}\` (pid ${h.pid}, since ${h.since})`;
    return (
      `The data folder ${err.dataDir} is in use by ${who}. ` +
      'Only one Export Manager can use it at a time: stop that one, then open the app again.'
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return `${message}\n\nData folder: ${dataDir}`;
}
