// A Server-Sent Events client that does not read must not make the engine buffer without end:
// once more than a bounded amount waits in its socket's queue, it is dropped (it reconnects with
// Last-Event-ID or a fresh load; events are hints, the API holds the truth).
//
// Events written in the same tick go out as one write: a small export's four events, delivered
// together once they are on disk, cost the client (and us) one system call and one wake-up.
import type { ServerResponse } from 'node:http';

/** Bytes queued for one client (beyond what the kernel took) before it is dropped. */
export const SSE_MAX_BUFFERED = 1024 * 1024;

/** A write function for `res` that drops the client once `max` bytes are waiting. */
export function boundedSseWrite(
  res: ServerResponse,
  max = SSE_MAX_BUFFERED,
): (chunk: string) => void {
  let pending = '';
  const flush = () => {
    const chunk = pending;
    pending = '';
    if (res.destroyed || res.writableEnded) return;
    if (res.writableLength + Buffer.byteLength(chunk) > max) {
      res.destroy();
      return;
    }
    res.write(chunk);
  };
  return (chunk) => {
    if (res.destroyed) return;
    if (pending === '') process.nextTick(flush);
    pending += chunk;
    // Never hold more than the bound in memory either.
    if (pending.length > max) flush();
  };
}
