// An export's stored request as its job kind sees it (a JobSpec), and the destination folder a
// vendor file's decompressed copy goes to.
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { ExportCompression, ExportCreate } from '../../../shared/schemas/exports.ts';
import { datasetFile, type EngineContext } from '../context.ts';
import type { JobSpec } from '../jobs/job-types.ts';
import { isShared } from '../store/store-db.ts';
import type { ExportRow } from './exports-repo.ts';
import { storedRequest } from './stored-request.ts';

/** The stored request as its job kind sees it. */
export function jobSpec(row: ExportRow): JobSpec {
  const local = row.source_type === 'dataset';
  const req = storedRequest(row);
  return {
    exportId: row.id,
    name: row.name,
    format: row.format as 'csv' | 'jsonl',
    compression: row.compression as ExportCompression,
    compressionLevel: row.compression_level,
    dataset: row.dataset,
    columns: local ? (req.columns ?? null) : null,
    filter: local ? (req.filter ?? null) : null,
    providerId: row.provider_id,
    params: req.params ?? null,
    remoteId: row.remote_id,
    attempt: row.attempts,
    plainCopyDir: local ? null : plainCopyDir(req.destination),
  };
}

/** The folder a decompressed copy goes to, or null (no destination, or not decompressed). */
export function plainDestination(d: ExportCreate['destination']): string | null {
  if (!d) return null;
  return d.decompress === true && typeof d.dir === 'string' && isAbsolute(d.dir) ? d.dir : null;
}

function plainCopyDir(d: ExportCreate['destination']): string | null {
  const dir = plainDestination(d);
  if (!dir) return null;
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return null; // saving the copy later reports why the folder is unusable
  }
}

/**
 * Engines sharing a store each hold their own datasets: a dataset export runs only on the engine
 * whose data folder has the dataset's file.
 */
export function runnableHere(ctx: EngineContext, row: ExportRow): boolean {
  return (
    !isShared(ctx.db) || row.dataset === null || existsSync(datasetFile(ctx.paths, row.dataset))
  );
}
