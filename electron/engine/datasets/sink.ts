// Where an import's rows go: a TableSink in this thread, or in a second worker so that parsing
// and SQLite inserts use both cores (a 2,000,000-row CSV took 9.6 s instead of 13.2 s).
import { Worker } from 'node:worker_threads';
import { ImportError, type ImportErrorCode } from './import-error.ts';
import { TableSink, type SinkBatch, type SinkResult } from './table-sink.ts';
import { workerUrl } from '../worker-url.ts';

export interface Sink {
  addColumn(name: string): void;
  write(batch: SinkBatch): void;
  /** Waits while too many batches are in flight (constant memory); rejects with the sink's error. */
  drain(): Promise<void>;
  finish(
    types: readonly number[],
    timeColumn: string | null,
    indexColumns: readonly string[],
  ): Promise<SinkResult>;
  /** Stops and closes the file; the caller removes it. */
  abort(): Promise<void>;
}

/** Messages from the reading thread to the sink worker. */
export type SinkRequest =
  | { readonly t: 'column'; readonly name: string }
  | { readonly t: 'batch'; readonly batch: SinkBatch }
  | {
      readonly t: 'finish';
      readonly types: readonly number[];
      readonly timeColumn: string | null;
      readonly indexColumns: readonly string[];
    };

/** Messages from the sink worker. */
export type SinkReply =
  | { readonly t: 'ack' }
  | { readonly t: 'done'; readonly result: SinkResult }
  | { readonly t: 'error'; readonly code: ImportErrorCode; readonly message: string };

export function inlineSink(file: string): Sink {
  const sink = new TableSink(file);
  return {
    addColumn: (name) => sink.addColumn(name),
    write: (batch) => sink.write(batch),
    drain: async () => {},
    finish: async (types, timeColumn, indexColumns) => sink.finish(types, timeColumn, indexColumns),
    abort: async () => sink.close(),
  };
}

const MAX_IN_FLIGHT = 8;

export function threadSink(file: string): Sink {
  const worker = new Worker(workerUrl('sink-worker', import.meta.url), {
    workerData: { file },
    // As for the import worker (import-runner.ts): bounded heaps keep memory flat.
    resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 },
  });
  let inFlight = 0;
  let failure: Error | null = null;
  let result: SinkResult | null = null;
  let wake: (() => void) | null = null;
  const settle = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', (m: SinkReply) => {
    if (m.t === 'ack') inFlight--;
    else if (m.t === 'done') result = m.result;
    else failure = new ImportError(m.message, m.code);
    settle();
  });
  worker.on('error', (err) => {
    failure ??= err;
    settle();
  });
  worker.on('exit', () => {
    failure ??= result ? null : new ImportError('the import stopped unexpectedly', 'INTERNAL');
    settle();
  });
  const post = (m: SinkRequest) => worker.postMessage(m);
  const waitFor = async (done: () => boolean): Promise<void> => {
    while (!done()) {
      if (failure) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure) throw failure;
  };
  return {
    addColumn: (name) => post({ t: 'column', name }),
    write(batch) {
      inFlight++;
      // A byte payload (the native scanner's, a buffer of its own) moves instead of being copied.
      const bytes = batch.payload instanceof Uint8Array ? batch.payload.buffer : null;
      if (bytes instanceof ArrayBuffer) worker.postMessage({ t: 'batch', batch }, [bytes]);
      else post({ t: 'batch', batch });
    },
    drain: () => waitFor(() => inFlight < MAX_IN_FLIGHT / 2 || inFlight === 0),
    async finish(types, timeColumn, indexColumns) {
      post({ t: 'finish', types, timeColumn, indexColumns });
      await waitFor(() => result !== null);
      return result!;
    },
    async abort() {
      await worker.terminate();
    },
  };
}
