// A Server-Sent Events client that does not read must not make the engine buffer without end:
// once more than a bounded amount waits in its socket's queue, it is dropped (it reconnects with
// Last-Event-ID or a fresh load; events are hints, the API holds the truth).
import type { ServerResponse } from 'node:http';

/** Bytes queued for one client (beyond what the kernel took) before it is dropped. */
export const SSE_MAX_BUFFERED = 1024 * 1024;

/** A write function for `res` that drops the client once `max` bytes are waiting. */
export function boundedSseWrite(
  res: ServerResponse,
  max = SSE_MAX_BUFFERED,
): (chunk: string) => void {
  return (chunk) => {
    if (res.destroyed) return;
    if (res.writableLength + Buffer.byteLength(chunk) > max) {
      res.destroy();
      return;
    }
    res.write(chunk);
  };
}
