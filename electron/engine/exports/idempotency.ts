// Idempotency-Key answers (API.md): same key and same body within 24 h replays the first answer.
import { createHash } from 'node:crypto';
import { ApiError } from '../../../shared/errors.ts';
import type { Export } from '../../../shared/schemas/exports.ts';
import type { StoreDb } from '../store/store-db.ts';
import { canonicalJson } from './export-request.ts';

export const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;

export function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && (key.length === 0 || key.length > 255))
    throw new ApiError('INVALID_REQUEST', 'Idempotency-Key must be 1 to 255 characters.');
}

export const requestHash = (body: unknown): string =>
  createHash('sha256').update(canonicalJson(body)).digest('hex');

/** Call inside the create transaction, so two requests with one key never both create. */
export function createIdempotencyStore(db: StoreDb) {
  const find = db.prepare(
    'SELECT request_hash, response_json FROM idempotency_keys WHERE key = ? AND created_at > ?',
  );
  const prune = db.prepare('DELETE FROM idempotency_keys WHERE created_at <= ?');
  const save = db.prepare(
    `INSERT INTO idempotency_keys (key, request_hash, export_id, status_code, response_json, created_at)
     VALUES (?, ?, ?, 202, ?, ?)
     ON CONFLICT (key) DO UPDATE SET request_hash = excluded.request_hash, export_id = excluded.export_id,
       status_code = excluded.status_code, response_json = excluded.response_json, created_at = excluded.created_at`,
  );

  return {
    /** The first answer for this key and body, null when the key is new (or older than 24 h). */
    replay(key: string, hash: string, now: number): Export | null {
      const prior = find.get(key, now - IDEMPOTENCY_WINDOW_MS) as
        { request_hash: string; response_json: string | null } | undefined;
      if (!prior) return null;
      if (prior.request_hash !== hash) {
        throw new ApiError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used with another request body in the last 24 hours.',
        );
      }
      // A key recorded without its answer belongs to a request still being processed elsewhere.
      if (prior.response_json === null)
        throw new ApiError(
          'IDEMPOTENCY_IN_PROGRESS',
          'A request with this Idempotency-Key is still being processed.',
        );
      return JSON.parse(prior.response_json) as Export;
    },
    record(key: string, hash: string, exp: Export, now: number): void {
      prune.run(now - IDEMPOTENCY_WINDOW_MS);
      save.run(key, hash, exp.id, JSON.stringify(exp), now);
    },
  };
}
