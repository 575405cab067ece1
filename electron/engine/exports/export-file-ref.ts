// The stored file of a completed export, for importing it as a dataset. engine.ts hands this to the
// datasets service when it builds it, so datasets never needs the exports service (which needs
// datasets to run exports): the two share the exports repo, not each other.
import { ApiError } from '../../../shared/errors.ts';
import type { ExportFileRef } from '../datasets/datasets-service.ts';
import { isUuid } from '../ids.ts';
import type { FileStore } from '../storage/files.ts';
import type { ExportStorage } from '../storage/export-storage.ts';
import type { ExportsRepo } from './exports-repo.ts';

export function exportFileResolver(
  repo: ExportsRepo,
  files: FileStore,
  storage?: ExportStorage,
): (exportId: string) => ExportFileRef {
  return (id) => {
    if (!isUuid(id))
      throw new ApiError('INVALID_REQUEST', `"${id.slice(0, 80)}" is not an export id.`);
    const row = repo.get(id);
    if (!row || row.status !== 'completed')
      throw new ApiError('INVALID_REQUEST', `Export ${id} is not a completed export.`);
    const f = repo.files(id)[0];
    if (!f) throw new ApiError('INVALID_REQUEST', `Export ${id} has no file.`);
    if (storage && storage.kind !== 'local')
      throw new ApiError(
        'INVALID_REQUEST',
        `Importing an export as a dataset needs its file in the data folder; this engine stores files in ${storage.location} (not supported there yet).`,
      );
    return {
      path: files.resolveFile(id, f.filename),
      format: row.format as 'csv' | 'jsonl',
      compression: f.filename.endsWith('.gz') ? 'gzip' : 'none',
    };
  };
}
