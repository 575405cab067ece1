// The last resort: an error nobody caught (an 'error' event without a listener, a throw in a timer)
// fails the one export whose work raised it, never the process. Each job runs inside a scope
// (AsyncLocalStorage follows its callbacks and promises); the process-wide handlers look it up.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../logger.ts';

interface JobScope {
  readonly exportId: string;
  fail(err: Error): void;
}

const scopes = new AsyncLocalStorage<JobScope>();

/** Runs `fn` (a job's start) so that uncaught errors raised by its work reach `fail`. */
export function runInJobScope<T>(exportId: string, fail: (err: Error) => void, fn: () => T): T {
  let failed = false;
  const once = (err: Error) => {
    if (failed) return;
    failed = true;
    fail(err);
  };
  return scopes.run({ exportId, fail: once }, fn);
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * Installs process-wide handlers for uncaught exceptions and unhandled rejections: logged, and the
 * export in whose work they arose is failed. Returns the function that removes them.
 */
export function installLastResort(logger: Logger): () => void {
  const handle = (kind: string) => (e: unknown) => {
    const err = asError(e);
    const scope = scopes.getStore();
    logger.error(`${kind}: kept the engine running`, {
      export_id: scope?.exportId ?? null,
      error: err.stack ?? err.message,
    });
    try {
      scope?.fail(err);
    } catch (failErr) {
      logger.error('could not fail the export after an uncaught error', {
        export_id: scope?.exportId ?? null,
        error: asError(failErr).message,
      });
    }
  };
  const onException = handle('uncaught exception');
  const onRejection = handle('unhandled rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
