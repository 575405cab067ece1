// An undici response body emits 'error' when it is destroyed before its end (RequestAbortedError)
// or when the connection breaks. Without a listener, Node turns that into an uncaught exception
// that ends the process, even when nobody cares any more (a body refused unread, a resume answered
// at the wrong offset). Every body we hand out gets a listener first; readers still see the error
// through their own reads (for await, pipeline), and a body dropped unread ends quietly.
import type { Readable } from 'node:stream';

const quiet = (): void => undefined;

/** Makes `body` safe to destroy or abandon at any time; returns it. */
export function guardBody<T extends Readable>(body: T): T {
  if (!body.listeners('error').includes(quiet)) body.on('error', quiet);
  return body;
}
