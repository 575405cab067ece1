// Which engine events become OS notifications: scheduled exports that complete or fail, unless the
// user turned notifications off. Plain TypeScript (no Electron) so it is tested in Node.
import type { Export } from '../../shared/schemas/exports.ts';
import type { Schedule } from '../../shared/schemas/schedules.ts';
import type { EventBus } from '../engine/events.ts';

export interface Notice {
  readonly title: string;
  readonly body: string;
  /** What a click opens in the window (a hash route of the renderer). */
  readonly route: string;
}

const rows = (n: number | null) => (n === null ? '' : ` (${n.toLocaleString('en-US')} rows)`);

/** A scheduled export that completed; ad-hoc exports (schedule_id null) never notify. */
export function completedNotice(exp: Export): Notice | null {
  if (!exp.schedule_id) return null;
  const saved = exp.destination?.saved_paths[0];
  return {
    title: `Export ready: ${exp.name}`,
    body: saved ? `Saved to ${saved}${rows(exp.row_count)}` : `Completed${rows(exp.row_count)}`,
    route: `#/exports/${exp.id}`,
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
  const offCompleted = events.on('export.completed', (exp) => {
    const notice = completedNotice(exp);
    if (notice && enabled()) show(notice);
  });
  const offFailed = events.on('schedule.failed', (schedule) => {
    if (enabled()) show(failedNotice(schedule));
  });
  return () => {
    offCompleted();
    offFailed();
  };
}
