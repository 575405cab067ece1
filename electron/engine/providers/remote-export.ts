// The one view every vendor adapter maps onto: the vendor export's status, progress, files, expiry.

export const remoteStatuses = ['pending', 'processing', 'completed', 'failed', 'expired'] as const;
export type RemoteStatus = (typeof remoteStatuses)[number];

export interface RemoteFile {
  /** Absolute URL: a presigned storage link, or a vendor URL answering with a redirect to one. */
  readonly url: string;
  /** The vendor's name for the file (unsanitised), or null. */
  readonly filename: string | null;
  /** Bytes as the vendor announces them (the stored, usually gzipped, file), or null. */
  readonly size: number | null;
  readonly rowCount: number | null;
  readonly sha256: string | null;
}

export interface RemoteError {
  readonly code: string | null;
  readonly message: string | null;
}

export interface RemoteExport {
  readonly id: string;
  readonly status: RemoteStatus;
  /** The vendor's own word for the status (mirrored into our export's source.remote_status). */
  readonly rawStatus: string | null;
  readonly progressPct: number | null;
  readonly stage: string | null;
  readonly files: readonly RemoteFile[];
  /** Rows of the whole export, when the vendor says. */
  readonly rowCount: number | null;
  /** When the vendor export itself goes away (ms since epoch). */
  readonly expiresAt: number | null;
  /** When the file links stop working (ms since epoch). */
  readonly urlExpiresAt: number | null;
  readonly error: RemoteError | null;
}

/** What one vendor dialect can do; every adapter is built from a declarative config (generic.ts). */
export interface ProviderAdapter {
  /** Creates the vendor export; the same key twice must give back the same export. */
  create(
    params: Record<string, unknown>,
    idempotencyKey: string,
    signal: AbortSignal,
  ): Promise<RemoteExport>;
  get(remoteId: string, signal: AbortSignal): Promise<RemoteExport>;
  /** A cheap authenticated request: does the base URL answer, and is the credential accepted? */
  test(signal: AbortSignal): Promise<{ ok: boolean; status: number | null; message: string }>;
}
