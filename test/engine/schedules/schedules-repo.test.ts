import { storeKind } from '../../helpers/test-store.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { createSchedulesRepo, dueAt } from '../../../electron/engine/schedules/schedules-repo.ts';
import type { ScheduleRow } from '../../../electron/engine/schedules/schedules-repo.ts';
import { makeContext, type TestContext } from '../../helpers/context.ts';

let ctx: TestContext;
afterEach(() => ctx.cleanup());

const row = (over: Partial<ScheduleRow> = {}): ScheduleRow => ({
  id: '0193a3b0-0000-7000-8000-000000000001',
  name: 'n',
  request_json: '{"dataset":"leads"}',
  cron: null,
  timezone: 'UTC',
  every_seconds: 60,
  keep_fresh: 0,
  keep_fresh_margin_seconds: 3600,
  retain: null,
  destination_json: null,
  filename_template: null,
  enabled: 1,
  next_run_at: 1000,
  fresh_due_at: null,
  retry_at: null,
  due_at: null,
  running_export_id: null,
  running_kind: null,
  latest_export_id: null,
  last_run_at: null,
  last_error_json: null,
  consecutive_failures: 0,
  run_count: 0,
  created_at: 0,
  updated_at: 0,
  changes_key: null,
  incremental_column: null,
  high_water_json: null,
  ...over,
});

describe('the schedules table (migration 0050)', () => {
  it('is STRICT and refuses a schedule with both or neither timetable', () => {
    ctx = makeContext();
    const repo = createSchedulesRepo(ctx.db);
    expect(() => repo.insert(row({ cron: '* * * * *' }))).toThrow(
      /CHECK constraint|violates check constraint/,
    );
    expect(() => repo.insert(row({ every_seconds: null }))).toThrow(
      /CHECK constraint|violates check constraint/,
    );
    expect(() => repo.insert(row({ run_count: 'many' as unknown as number }))).toThrow(
      /cannot store TEXT value in INTEGER column|invalid input syntax for type bigint/,
    );
    repo.insert(row());
    expect(repo.get(row().id)?.due_at).toBe(1000);
  });

  // SQLite's planner, read through EXPLAIN QUERY PLAN; PostgreSQL plans by table statistics.
  it.runIf(storeKind() === 'sqlite')(
    'finds due schedules and the earliest due moment through the partial index',
    () => {
      ctx = makeContext();
      const plan = (sql: string, ...params: unknown[]) =>
        (ctx.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
          .map((r) => r.detail)
          .join('\n');
      const live = 'FROM schedules WHERE enabled = 1 AND running_export_id IS NULL';
      expect(plan(`SELECT * ${live} AND due_at <= ? ORDER BY due_at, id`, 0)).toContain(
        'schedules_by_due',
      );
      expect(plan(`SELECT MIN(due_at) AS at ${live}`)).toContain('schedules_by_due');
    },
  );

  it('derives due_at: backoff first, else the earlier of slot and keep-fresh; none when paused or busy', () => {
    ctx = makeContext();
    expect(dueAt(row({ next_run_at: 500, fresh_due_at: 300 }))).toBe(300);
    expect(dueAt(row({ consecutive_failures: 2, retry_at: 9000, fresh_due_at: 300 }))).toBe(9000);
    expect(dueAt(row({ enabled: 0 }))).toBeNull();
    expect(dueAt(row({ running_export_id: 'x' }))).toBeNull();
  });
});
