// Where completed export files live: the data folder (default) or an S3-compatible bucket. Jobs
// always write and verify in the local staging folder (files/<id>/); a store that is not local
// receives the verified files before the export completes, and serves them by its own links.
import { readdirSync, statSync } from 'node:fs';
import type { Logger } from '../logger.ts';
import { isUuid } from '../ids.ts';
import type { FileStore } from './files.ts';

export interface StorageHealth {
  readonly kind: 'local' | 's3';
  readonly ok: boolean;
  /** Why not, when not ok. */
  readonly message?: string;
}

export interface ExportStorage {
  readonly kind: 'local' | 's3';
  /** Where the files live, without secrets: a folder, or s3://bucket/prefix (endpoint). */
  readonly location: string;
  /**
   * After a job verified its files in `dir`: store them. Resolves once every file is stored and its
   * stored size matches the local one; the local copies are then removed. Local storage: nothing.
   */
  publish(id: string, dir: string, filenames: readonly string[]): Promise<void>;
  /**
   * A link straight to the stored bytes, signed at `signedAt` (the engine's clock, ms) and valid
   * `seconds` from then; null when the engine serves them.
   */
  directLink(
    id: string,
    filename: string,
    method: 'GET' | 'HEAD',
    seconds: number,
    signedAt: number,
  ): Promise<string | null>;
  /** Copies a stored file to a local path (for "Save as" and imports of an export). */
  download(id: string, filename: string, toPath: string): Promise<void>;
  /** Removes every stored file of an export. Never throws: false when it could not. */
  remove(id: string): Promise<boolean>;
  /** The export ids that have stored files (the start-up sweep of leftovers). */
  storedIds(): Promise<string[]>;
  check(): Promise<StorageHealth>;
  close(): void;
}

/** The data folder: the staging folder is the store; the engine serves files itself. */
export function createLocalStorage(files: FileStore): ExportStorage {
  return {
    kind: 'local',
    location: files.root,
    async publish() {},
    async directLink() {
      return null;
    },
    async download() {
      throw new Error('local files are read where they are');
    },
    async remove(id) {
      return files.removeExport(id);
    },
    async storedIds() {
      try {
        return statSync(files.root).isDirectory()
          ? readdirSync(files.root).filter((n) => isUuid(n))
          : [];
      } catch {
        return [];
      }
    },
    async check() {
      try {
        statSync(files.root);
        return { kind: 'local', ok: true };
      } catch (err) {
        return { kind: 'local', ok: false, message: (err as Error).message };
      }
    },
    close() {},
  };
}

/**
 * The FileStore the services use, for a store that is not local: removing an export's files also
 * removes its stored objects (retention, cancel, delete, failure). The removal runs in the
 * background; `settled()` waits for it (close, tests).
 */
export function withStoredCopies(
  files: FileStore,
  storage: ExportStorage,
  logger: Logger,
): FileStore & { settled(): Promise<void> } {
  if (storage.kind === 'local') return Object.assign(files, { settled: async () => {} });
  const pending = new Set<Promise<unknown>>();
  return {
    root: files.root,
    exportDir: (id) => files.exportDir(id),
    resolveFile: (id, name) => files.resolveFile(id, name),
    removePartFiles: () => files.removePartFiles(),
    removeExport(id) {
      const local = files.removeExport(id);
      const p = storage.remove(id).then((ok) => {
        if (!ok)
          logger.warn(
            'could not remove the stored files of an export; the next start tries again',
            {
              id,
            },
          );
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
      return local;
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/**
 * Start-up: stored files of exports that are gone, expired, failed or canceled (a crash between the
 * commit and the removal) are removed now, not never.
 */
export async function sweepStoredLeftovers(
  storage: ExportStorage,
  isLive: (id: string) => boolean,
  logger: Logger,
): Promise<number> {
  if (storage.kind === 'local') return 0;
  let removed = 0;
  try {
    for (const id of await storage.storedIds()) {
      if (isLive(id)) continue;
      if (await storage.remove(id)) removed++;
    }
  } catch (err) {
    logger.warn('could not list the stored files for the start-up sweep', {
      error: (err as Error).message,
    });
  }
  if (removed > 0)
    logger.info('removed the stored files of exports that are gone', { count: removed });
  return removed;
}
