// Which engine events become OS notifications: scheduled runs that complete (with what changed
// since the run before) or fail, unless the user turned notifications off. Plain TypeScript (no
// Electron) so it is tested in Node.
import type { Schedule, ScheduleRunCompleted } from '../../shared/schemas/schedules.ts';
import type { EventBus } from '../engine/events.ts';

export interface Notice {
  readonly title: string;
  readonly body: string;
  /** What a click opens in the window (a hash route of the renderer). */
  readonly route: string;
}

/**
 * A scheduled run that completed, once its changes are known: "1,204 rows; +12 −3 ~5 since #41".
 * Ad-hoc exports have no schedule and never notify.
 */
export function completedNotice(e: ScheduleRunCompleted): Notice {
  const saved = e.run.stable_path ?? e.run.saved_path;
  return {
    title: `Export ready: ${e.schedule.name}`,
    body: saved ? `${e.summary}. Saved to ${saved}` : e.summary,
    route: e.run.export_id ? `#/exports/${e.run.export_id}` : `#/schedules/${e.schedule.id}`,
  };
}

/** A schedule whose run failed (the export failed, or it could not be started). */
export function failedNotice(schedule: Schedule): Notice {
  const error = schedule.last_error;
  const again =
    schedule.consecutive_failures > 1
      ? ` It has failed ${schedule.consecutive_failures} times in a row.`
      : '';
  return {
    title: `Scheduled export failed: ${schedule.name}`,
    body: `${error?.message ?? 'The run did not complete.'}${again}`,
    route: `#/schedules/${schedule.id}`,
  };
}

/** Subscribes to the bus; `enabled()` is read on every event so the setting applies at once. */
export function watchScheduledExports(
  events: Pick<EventBus, 'on'>,
  enabled: () => boolean,
  show: (notice: Notice) => void,
): () => void {
  const offCompleted = events.on('schedule.completed', (e) => {
    if (enabled()) show(completedNotice(e));
  });
  const offFailed = events.on('schedule.failed', (schedule) => {
    if (enabled()) show(failedNotice(schedule));
  });
  return () => {
    offCompleted();
    offFailed();
  };
}
