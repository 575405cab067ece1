// What can be checked of the team queue without a database: its URL and its timings from the
// environment (the queue itself runs against PostgreSQL in test/team/team-queue.test.ts).
import { describe, expect, it } from 'vitest';
import { openTeamQueue, queueTimingsFromEnv } from '../../../electron/engine/exports/work-queue.ts';

describe('team queue options', () => {
  it('refuses a URL that is not postgres:// before loading anything', async () => {
    await expect(openTeamQueue('mysql://db/exports')).rejects.toThrow(
      'The team queue needs a postgres:// URL; got "mysql://db/exports".',
    );
  });

  it('reads heartbeat and monitor seconds from the environment, refusing what pg-boss would', () => {
    expect(queueTimingsFromEnv({})).toEqual({});
    expect(
      queueTimingsFromEnv({
        EXPORT_MANAGER_QUEUE_HEARTBEAT_SECONDS: '10',
        EXPORT_MANAGER_QUEUE_MONITOR_SECONDS: '1',
      }),
    ).toEqual({ heartbeatSeconds: 10, monitorIntervalSeconds: 1 });
    expect(() => queueTimingsFromEnv({ EXPORT_MANAGER_QUEUE_HEARTBEAT_SECONDS: '5' })).toThrow(
      'EXPORT_MANAGER_QUEUE_HEARTBEAT_SECONDS must be a whole number of seconds, at least 10; got "5".',
    );
    expect(() => queueTimingsFromEnv({ EXPORT_MANAGER_QUEUE_MONITOR_SECONDS: '0.5' })).toThrow(
      'EXPORT_MANAGER_QUEUE_MONITOR_SECONDS must be a whole number of seconds, at least 1; got "0.5".',
    );
  });
});
