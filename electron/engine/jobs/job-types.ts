// The contract between the export runner and the code that does a job's work (local or remote).
import type { ExportErrorCode } from '../../../shared/errors.ts';
import type {
  ExportCompression,
  ExportFilter,
  TimelineKind,
} from '../../../shared/schemas/exports.ts';

/** "14:02 UTC": the clock time a timeline line names. */
export const clockTime = (ms: number): string => `${new Date(ms).toISOString().slice(11, 16)} UTC`;

/** A failure that ends an export as `failed` with this code (see API.md export error codes). */
export class JobError extends Error {
  readonly code: ExportErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: ExportErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'JobError';
    this.code = code;
    this.details = details;
  }
}

/** One finished file of an export, already in its final place under the export's folder. */
export interface JobFile {
  readonly filename: string;
  readonly byteSize: number;
  readonly sha256: string;
  readonly rowCount: number | null;
  /**
   * A decompressed copy made while the file was verified (a hidden `.part` in the destination
   * folder), so saving it is a rename instead of a second gunzip pass. The export's finish moves or
   * removes it.
   */
  readonly plainCopy?: string | null;
}

export interface JobProgress {
  readonly pct?: number;
  readonly stage?: string;
  readonly rowsDone?: number;
  readonly bytesDone?: number;
  readonly bytesTotal?: number | null;
  readonly remoteId?: string | null;
  readonly remoteStatus?: string | null;
}

/** The stored request of a job, as the queue hands it to its job kind (local or provider). */
export interface JobSpec {
  readonly exportId: string;
  readonly name: string;
  readonly format: 'csv' | 'jsonl';
  readonly compression: ExportCompression;
  readonly compressionLevel: number;
  /** Local exports only: the dataset, and the request's columns and filter. */
  readonly dataset?: string | null;
  readonly columns?: readonly string[] | null;
  readonly filter?: ExportFilter | null;
  /** Provider exports only. */
  readonly providerId: string | null;
  readonly params: Record<string, unknown> | null;
  /** Set when an earlier attempt already created the remote export (resume after a crash). */
  readonly remoteId: string | null;
  readonly attempt: number;
  /** Remote jobs: the destination folder when it wants decompressed copies, else null. */
  readonly plainCopyDir?: string | null;
}

export interface JobHooks {
  /** Aborted on cancel and on engine shutdown; the job stops at its next safe point. */
  readonly signal: AbortSignal;
  /**
   * Final home of the export's files: files/<export id>/ (made before run() unless the kind says
   * `makesExportDir`). Write `name.part`, rename when verified.
   */
  readonly exportDir: string;
  /** Throttled by the runner (it stores and emits at most every 250 ms); call as often as you like. */
  progress(p: JobProgress): void;
  /**
   * Remote jobs: durably record the remote id as soon as it is known (and the intent before the
   * create request is sent), so a crash never creates a duplicate at the vendor.
   */
  recordRemote(remoteId: string | null, remoteStatus: string | null): void;
  /** Remote jobs: a step for the export's timeline (a link refreshed, the export re-created). */
  note?(kind: TimelineKind, text: string): void;
}

/**
 * A job kind: runs one export to verified files in `hooks.exportDir`, or throws `JobError`. The
 * queue (exports/runner.ts) picks the kind by the export's source and knows nothing else of it.
 */
export interface JobRunner {
  run(spec: JobSpec, hooks: JobHooks): Promise<readonly JobFile[]>;
  /** The stage an export of this kind starts in, stored as the queue starts it ("starting"). */
  readonly firstStage?: string;
  /** The kind makes `hooks.exportDir` itself (on its own thread); else the queue makes it first. */
  readonly makesExportDir?: boolean;
}

/** Runs a provider export to completion: create (once), poll, download, verify. */
export type RemoteJobRunner = JobRunner;
