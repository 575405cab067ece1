// The one table of error codes and their HTTP statuses, used by server, client and renderer.

export const errorStatus = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN_HOST: 403,
  FORBIDDEN_ORIGIN: 403,
  SIGNATURE_INVALID: 403,
  SIGNATURE_EXPIRED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  EXPORT_NOT_READY: 409,
  EXPORT_FAILED: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  CONFLICT: 409,
  EXPORT_EXPIRED: 410,
  /** A file's If-Match or If-Unmodified-Since does not hold. */
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  PROVIDER_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
  /** Saving a copy ran out of space (an extension; exports themselves fail with it as error.code). */
  DISK_FULL: 507,
} as const;

export type ApiErrorCode = keyof typeof errorStatus;

/** Codes an export's own `error.code` may carry (not HTTP statuses). */
export const exportErrorCodes = [
  'QUERY_TOO_BROAD',
  'PROVIDER_ERROR',
  'PROVIDER_UNAUTHORIZED',
  'PROVIDER_EXPORT_FAILED',
  'PROVIDER_EXPORT_EXPIRED',
  'DOWNLOAD_FAILED',
  'CHECKSUM_MISMATCH',
  'DISK_FULL',
  'INTERRUPTED',
  'CANCELED',
  'INTERNAL',
] as const;
export type ExportErrorCode = (typeof exportErrorCodes)[number];

/** An error with a stable code; the server turns it into the envelope with the code's status. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = errorStatus[code];
    this.details = details;
  }
}

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(errorStatus, code);
}
