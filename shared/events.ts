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
