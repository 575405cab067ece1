// "Pause schedules" from the tray: disables every enabled schedule and remembers which, so
// "Resume schedules" re-enables exactly those (and not the ones the user had paused by hand).
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Schedule, ScheduleUpdate } from '../../shared/schemas/schedules.ts';

export interface SchedulesPort {
  list(): Schedule[];
  update(id: string, patch: ScheduleUpdate): Schedule;
}

export interface SchedulePause {
  isPaused(): boolean;
  pauseAll(): number;
  resumeAll(): number;
}

export function createSchedulePause(schedules: SchedulesPort, dataDir: string): SchedulePause {
  const file = join(dataDir, 'paused-schedules.json');
  const read = (): string[] | null => {
    try {
      const ids = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : null;
    } catch {
      return null;
    }
  };
  return {
    isPaused: () => read() !== null,
    pauseAll() {
      const ids = [...(read() ?? [])];
      for (const s of schedules.list())
        if (s.enabled) {
          schedules.update(s.id, { enabled: false });
          ids.push(s.id);
        }
      // Written before returning and atomically: a crash never forgets which ones to resume.
      writeFileSync(`${file}.tmp`, JSON.stringify(ids));
      renameSync(`${file}.tmp`, file);
      return ids.length;
    },
    resumeAll() {
      const ids = new Set(read() ?? []);
      let resumed = 0;
      for (const s of schedules.list())
        if (ids.has(s.id) && !s.enabled) {
          schedules.update(s.id, { enabled: true });
          resumed++;
        }
      rmSync(file, { force: true });
      return resumed;
    },
  };
}
