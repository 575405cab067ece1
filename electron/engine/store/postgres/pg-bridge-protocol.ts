// What the store's thread and the PostgreSQL bridge worker say to each other (pg-store.ts,
// pg-bridge-worker.ts). One request at a time: the store's thread waits on `flag` (Atomics) for
// the answer, so a statement is synchronous for the engine, as better-sqlite3's are.
import type { MessagePort } from 'node:worker_threads';

export interface BridgeInit {
  readonly connectionString: string;
  /** Int32Array(1) over a SharedArrayBuffer: 1 once an answer is on the port. */
  readonly flag: SharedArrayBuffer;
  readonly port: MessagePort;
  /** PostgreSQL statement_timeout for every statement, ms. */
  readonly statementTimeoutMs: number;
}

/**
 * Where a request stands in a transaction. A connection lost inside one is not silently replaced:
 * every request of that transaction fails until its rollback, so no half of it commits.
 */
export type TxPart = 'none' | 'begin' | 'in' | 'commit' | 'rollback';

export type BridgeRequest =
  | {
      readonly op: 'query';
      readonly text: string;
      readonly values: readonly unknown[];
      readonly tx: TxPart;
    }
  | { readonly op: 'script'; readonly text: string; readonly tx: TxPart }
  | { readonly op: 'migrate' }
  | { readonly op: 'close' };

export interface BridgeError {
  readonly message: string;
  /** SQLSTATE (e.g. 23505 unique_violation) or a Node error code. */
  readonly code?: string | undefined;
  readonly detail?: string | undefined;
}

export type BridgeAnswer =
  | {
      readonly ok: true;
      readonly rows: readonly Record<string, unknown>[];
      readonly fields: readonly string[];
      readonly rowCount: number;
      readonly note?: string;
    }
  | { readonly ok: false; readonly error: BridgeError };
