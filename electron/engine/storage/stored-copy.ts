// A completed export's file as a local path, wherever it is stored: the data folder's own file,
// or a temporary copy fetched from the bucket (removed by release()).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../../shared/errors.ts';
import type { EngineContext } from '../context.ts';
import type { ExportStorage } from './export-storage.ts';
import type { FileStore } from './files.ts';

export interface LocalCopy {
  readonly path: string;
  release(): void;
}

export async function fromStorage(
  ctx: EngineContext,
  storage: ExportStorage | undefined,
  files: FileStore,
  id: string,
  filename: string,
): Promise<LocalCopy> {
  const local = files.resolveFile(id, filename);
  if (!storage || storage.kind === 'local') return { path: local, release: () => {} };
  const tmp = join(ctx.paths.tmpDir, `${randomUUID()}-${filename}`);
  try {
    await storage.download(id, filename, tmp);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      `Could not read ${filename} from ${storage.location}: ${(err as Error).message}`,
    );
  }
  return { path: tmp, release: () => rmSync(tmp, { force: true }) };
}
