// A team engine process of its own, for the tests that kill one: QUEUE_ENGINE (JSON of
// QueueEngineOptions) says what to open; it prints READY and runs until it is stopped or killed
// (EXPORT_MANAGER_CRASH_AT=team:export-taken kills it with SIGKILL once it has taken an export).
import { startQueueEngine, type QueueEngineOptions } from './queue-engine.ts';

const options = JSON.parse(process.env.QUEUE_ENGINE ?? '{}') as QueueEngineOptions;
const engine = await startQueueEngine(options);
console.log('READY');
process.on('SIGTERM', () => {
  void engine.close().then(() => process.exit(0));
});
