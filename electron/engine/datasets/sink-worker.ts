// Worker entry: the SQLite side of a large import (see sink.ts), fed by the reading thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { SinkReply, SinkRequest } from './sink.ts';
import { TableSink } from './table-sink.ts';

const port = parentPort!;
const sink = new TableSink((workerData as { file: string }).file);
const reply = (m: SinkReply) => port.postMessage(m);

port.on('message', (m: SinkRequest) => {
  try {
    if (m.t === 'column') sink.addColumn(m.name);
    else if (m.t === 'batch') {
      sink.write(m.batch);
      release(m.batch.payload);
      reply({ t: 'ack' });
    } else {
      reply({ t: 'done', result: sink.finish(m.types, m.timeColumn, m.indexColumns) });
      port.close();
    }
  } catch (err) {
    sink.close();
    const full = (err as { code?: unknown }).code === 'SQLITE_FULL';
    reply({
      t: 'error',
      code: full ? 'DISK_FULL' : 'INTERNAL',
      message: full ? 'the disk is full' : (err as Error).message,
    });
    port.close();
  }
});

/**
 * Frees a byte payload's memory now: this thread makes little garbage of its own, so a collection
 * (which would free it) may not come before dozens of payloads have piled up.
 */
function release(payload: string | Uint8Array | undefined): void {
  if (payload instanceof Uint8Array && payload.buffer instanceof ArrayBuffer)
    (payload.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }).transfer?.(0);
}
