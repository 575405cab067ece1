// Checks on a dataset create request before any work starts: the name, the file, the export.
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ApiError } from '../../../shared/errors.ts';
import { datasetNamePattern } from '../../../shared/schemas/datasets.ts';

export interface ExportFileRef {
  readonly path: string;
  readonly format: 'csv' | 'jsonl';
  readonly compression: 'gzip' | 'none';
}

const NAME = new RegExp(datasetNamePattern);

export function checkDatasetName(name: string): void {
  if (!NAME.test(name))
    throw new ApiError(
      'INVALID_REQUEST',
      `invalid dataset name "${name}": a letter, then letters, digits, "_" or "-" (up to 63)`,
      { name },
    );
}

/** The size of a readable regular file at an absolute path, or INVALID_REQUEST saying why not. */
export function checkSourceFile(path: string): number {
  if (!isAbsolute(path))
    throw new ApiError('INVALID_REQUEST', `path must be absolute: "${path}"`, { path });
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ApiError('INVALID_REQUEST', `"${path}" is not a file`, { path });
    accessSync(path, constants.R_OK);
    return st.size;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const code = (err as { code?: string }).code;
    throw new ApiError(
      'INVALID_REQUEST',
      code === 'ENOENT' ? `no file at "${path}"` : `cannot read "${path}" (${code})`,
      { path },
    );
  }
}

/** The completed export's file; any failure to find it is the request's fault. */
export function resolveExportFile(
  resolve: ((exportId: string) => ExportFileRef) | undefined,
  exportId: string,
): ExportFileRef {
  if (!resolve) throw new ApiError('INVALID_REQUEST', 'importing an export is not available here');
  try {
    return resolve(exportId);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'INVALID_REQUEST') throw err;
    const why = err instanceof ApiError ? `: ${err.message}` : '';
    throw new ApiError('INVALID_REQUEST', `unknown export "${exportId}"${why}`, {
      export_id: exportId,
    });
  }
}
