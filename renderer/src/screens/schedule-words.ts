// A schedule in plain words: its timetable, its last and next run, how a run started and what it
// changed. Pure functions of the API's objects and a moment, so they are tested without a browser.
import type { Schedule, ScheduleRun } from '../../../shared/schemas/schedules.ts';
import { count, every } from '../format.ts';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const isNum = (x: string, max: number): boolean => /^\d{1,2}$/.test(x) && Number(x) <= max;
const pad = (n: string): string => n.padStart(2, '0');

/**
 * Common cron timetables in words ("every day at 06:00", "weekdays at 07:30", "every hour at :15");
 * anything else is shown as the expression itself, which is still exact.
 */
export function cronWords(cron: string): string {
  const parts = cron.trim().split(/\s+/);
  const [min, hour, dom, mon, dow] = parts.length === 5 ? parts : [];
  if (min === undefined || hour === undefined || dom === undefined)
    return `on the cron timetable ${cron.trim()}`;
  const anyDay = dom === '*' && mon === '*';
  const step = /^\*\/(\d+)$/.exec(min);
  if (step && hour === '*' && anyDay && dow === '*') return every(Number(step[1]) * 60);
  if (isNum(min, 59) && hour === '*' && anyDay && dow === '*') return `every hour at :${pad(min)}`;
  if (!isNum(min, 59) || !isNum(hour, 23)) return `on the cron timetable ${cron.trim()}`;
  const at = `at ${pad(hour)}:${pad(min)}`;
  if (anyDay && (dow === '*' || dow === '0-6')) return `every day ${at}`;
  if (anyDay && dow === '1-5') return `weekdays ${at}`;
  if (anyDay && (dow === '0,6' || dow === '6,0')) return `weekends ${at}`;
  if (anyDay && dow !== undefined && /^[0-7]$/.test(dow))
    return `every ${DAYS[Number(dow) % 7]} ${at}`;
  if (isNum(dom, 31) && Number(dom) >= 1 && mon === '*' && dow === '*')
    return `on day ${dom} of every month ${at}`;
  return `on the cron timetable ${cron.trim()}`;
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** "Every day at 06:00 Europe/Paris", "Every 15 minutes". */
export function timetableWords(s: Pick<Schedule, 'cron' | 'timezone' | 'every_seconds'>): string {
  if (s.every_seconds) return capital(every(s.every_seconds));
  if (!s.cron) return 'No timetable';
  return capital(cronWords(s.cron)) + (s.timezone ? ` ${s.timezone}` : '');
}

/** A span in short words: "42 s", "5 min", "2 h", "3 days". */
export function span(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${Math.round(abs / 1000)} s`;
  if (abs < 3_600_000) return `${Math.round(abs / 60_000)} min`;
  if (abs < 48 * 3_600_000) return `${Math.round(abs / 3_600_000)} h`;
  return `${Math.round(abs / 86_400_000)} days`;
}

/** "2 h ago", "in 21 h", "just now". */
export function shortRelative(isoTime: string, now: number): string {
  const diff = Date.parse(isoTime) - now;
  if (Math.abs(diff) < 5_000) return 'just now';
  return diff < 0 ? `${span(diff)} ago` : `in ${span(diff)}`;
}

/**
 * The schedule's one line: "Every day at 06:00 Europe/Paris; last run 2 h ago, 1,204 rows; next in
 * 21 h". The rows are the latest completed run's; a failure in a row is said instead.
 */
export function scheduleSummary(s: Schedule, now: number): string {
  const parts = [timetableWords(s)];
  if (s.running_export_id) parts.push('running now');
  else if (!s.last_run_at) parts.push('no run yet');
  else {
    let last = `last run ${shortRelative(s.last_run_at, now)}`;
    if (s.consecutive_failures > 0)
      last += s.consecutive_failures > 1 ? `, failed ${s.consecutive_failures} times` : ', failed';
    else if (s.latest_export?.row_count !== null && s.latest_export?.row_count !== undefined)
      last += `, ${count(s.latest_export.row_count)} row${s.latest_export.row_count === 1 ? '' : 's'}`;
    parts.push(last);
  }
  if (!s.enabled) parts.push('paused');
  else if (s.next_run_at) {
    const next = shortRelative(s.next_run_at, now);
    parts.push(
      next === 'just now' || Date.parse(s.next_run_at) < now ? 'next now' : `next ${next}`,
    );
  }
  return parts.join('; ');
}

/** "keeps the latest link fresh, re-created 1 h before it expires"; null when off. */
export function keepFreshWords(s: Pick<Schedule, 'keep_fresh' | 'keep_fresh_margin_seconds'>) {
  if (!s.keep_fresh) return null;
  const margin = s.keep_fresh_margin_seconds;
  return margin === 0
    ? 'keeps the latest link fresh: re-created when it expires'
    : `keeps the latest link fresh: re-created ${span(margin * 1000)} before it expires`;
}

export function retainWords(retain: number | null): string {
  if (retain === null) return 'keeps every run';
  return retain === 1 ? 'keeps the newest run only' : `keeps the newest ${retain} runs`;
}

const TRIGGERS: Record<ScheduleRun['trigger'], string> = {
  timetable: 'Timetable',
  keep_fresh: 'Keep fresh',
  run_now: 'Run now',
  catch_up: 'Catch-up after sleep',
  retry: 'Retry after a failure',
};

export const triggerWords = (t: ScheduleRun['trigger']): string => TRIGGERS[t] ?? t;

export function runStatusWords(status: string): string {
  if (status === 'starting') return 'Starting';
  if (status === 'deleted') return 'Export deleted';
  return capital(status);
}

/** "+120 −8 ~33" once changes are computed; null before (or for the first run). */
export function changesWords(c: ScheduleRun['changes']): string | null {
  if (!c) return null;
  if (c.added === null || c.removed === null || c.changed === null)
    return `unknown: ${c.reason ?? 'nothing to compare with'}`;
  return `+${count(c.added)} −${count(c.removed)} ~${count(c.changed)}`;
}

/** "only rows since the last run, by id (above 1,204)" or "all rows". */
export function incrementalWords(s: Schedule): string {
  if (!s.incremental_column) return 'all rows';
  const mark = s.high_water_mark;
  const above =
    mark === null
      ? 'the next run exports all rows'
      : `the next run exports rows above ${typeof mark === 'number' ? count(mark) : mark}`;
  return `only rows since the last run, by ${s.incremental_column} (${above})`;
}

/** The schedule's stable file as its history tells it: the newest run that replaced it. */
export function stableFileOf(runs: readonly ScheduleRun[]): {
  path: string;
  run: number;
  replaced_at: string | null;
} | null {
  const run = runs.find((r) => r.stable_path !== null);
  return run ? { path: run.stable_path!, run: run.number, replaced_at: run.ended_at } : null;
}
