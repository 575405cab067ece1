// What the export worker is given and what it answers (export-pipeline.ts runs it).
import type { ExportCompression } from '../../../shared/schemas/exports.ts';
import type { EncoderColumn } from './encoders.ts';
import type { WorkerStage } from './worker-stage.ts';

export interface ExportWorkerInput {
  readonly datasetFile: string;
  readonly selectSql: string;
  /** The same rows as keyset pages (row-batches.ts), or null to run selectSql whole. */
  readonly keysetSql: string | null;
  readonly countSql: string;
  readonly params: unknown[];
  readonly columns: EncoderColumn[];
  readonly format: 'csv' | 'jsonl';
  readonly compression: ExportCompression;
  readonly level: number;
  readonly finalPath: string;
  readonly maxRows: number;
  /** Least real time between two progress messages (0 = after every block). */
  readonly progressMs: number;
  /** Test seam: writes fail with ENOSPC once the file would pass this many bytes. */
  readonly failAfterBytes?: number;
  /** Uncompressed block size in bytes (tests make it small to see many blocks). */
  readonly blockBytes?: number;
  /** Rows from which reading and encoding run on two lanes (encode-lanes.ts); tests lower it. */
  readonly laneMinRows?: number;
  /** Test seam: false reads CSV rows in JavaScript even where the native reader is built. */
  readonly native?: boolean;
}

export type ExportWorkerMessage =
  | { type: 'progress'; rows: number; total: number; bytes: number; stage: WorkerStage }
  | { type: 'done'; rows: number; bytes: number; sha256: string; phases: ExportPhases }
  | { type: 'error'; code: string; message: string };

/**
 * Where an export's time went, in ms of this thread's wall time: stepping SQLite for pages of rows,
 * encoding them, handing blocks over (waiting for the compressor to take one: the hand-off); and
 * the compressor's own work on the pool (summed over blocks; gzip only, 0 otherwise). With lanes
 * (large exports), SQLite and encoding run on the lanes: laneWaitMs is this thread's wait for them.
 */
export interface ExportPhases {
  /** Who read and encoded the rows: native/csv-rows.c (CSV), lanes, or this thread's JavaScript. */
  readonly reader: 'native' | 'lanes' | 'js';
  readonly lanes: number;
  readonly laneWaitMs: number;
  readonly sqliteMs: number;
  readonly encodeMs: number;
  readonly handoffMs: number;
  readonly compressMs: number;
  readonly totalMs: number;
}
