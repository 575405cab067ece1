// Event types carried by the engine's bus and by GET /v1/events (SSE).
import type { Dataset } from './schemas/datasets.ts';
import type { Export } from './schemas/exports.ts';
import type { Schedule, ScheduleRunCompleted } from './schemas/schedules.ts';

export interface EventMap {
  'export.updated': Export;
  'export.completed': Export;
  'export.failed': Export;
  'export.deleted': { id: string };
  'dataset.updated': Dataset;
  'dataset.deleted': { name: string };
  'schedule.updated': Schedule;
  'schedule.fired': Schedule;
  'schedule.failed': Schedule;
  'schedule.completed': ScheduleRunCompleted;
  'schedule.deleted': { id: string };
}

export type EventName = keyof EventMap;
export const eventNames = [
  'export.updated',
  'export.completed',
  'export.failed',
  'export.deleted',
  'dataset.updated',
  'dataset.deleted',
  'schedule.updated',
  'schedule.fired',
  'schedule.failed',
  'schedule.completed',
  'schedule.deleted',
] as const satisfies readonly EventName[];

export interface AppEvent<K extends EventName = EventName> {
  readonly name: K;
  readonly data: EventMap[K];
}
