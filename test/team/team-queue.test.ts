// Team mode's job queue on a real PostgreSQL (start-postgres.sh) with pg-boss: engine processes
// sharing one store file and one queue run each export exactly once; a process killed with
// SIGKILL mid-export loses it to another within the heartbeat window; a duplicate delivery does
// nothing; a cancel reaches the process that runs the export.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openTeamQueue } from '../../electron/engine/exports/work-queue.ts';
import { openDatabase, type Db } from '../../electron/engine/store/db.ts';
import { tempDir } from '../helpers/context.ts';
import { peopleColumns, writeDataset } from '../engine/exports/harness.ts';
import { startQueueEngine, testQueueTimings, type QueueEngineOptions } from './queue-engine.ts';
import { skipNotice, startPostgres } from './servers.ts';

const started = await startPostgres();
if (!started.ok) console.warn(skipNotice('PostgreSQL', started.skipReason));
const pgUrl = started.ok ? started.server.env.PG_URL! : '';
const here = import.meta.dirname;
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  if (started.ok) await started.server.stop();
}, 60_000);

let schemas = 0;
/** A fresh store file and pg-boss schema; the dataset `people` with `rows` rows. */
function team(rows: number): QueueEngineOptions {
  const dir = tempDir('em-team-store-');
  const file = join(dir, 'people.sqlite');
  writeDataset(file, peopleColumns, rows);
  return {
    storeFile: join(dir, 'export-manager.sqlite'),
    pgUrl,
    schema: `q${process.pid}_${++schemas}`,
    dataset: { file, columns: peopleColumns, rowCount: rows },
  };
}

async function engine(o: QueueEngineOptions) {
  const e = await startQueueEngine(o);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await e.close();
  };
  cleanups.push(close);
  return { ...e, close };
}

/** The statuses an export went through, from the store's history. */
function history(db: Db, id: string): string[] {
  return db
    .prepare('SELECT status FROM export_history WHERE export_id = ? ORDER BY seq')
    .pluck()
    .all(id) as string[];
}

async function jobs(schema: string): Promise<{ key: string; state: string; retries: number }[]> {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    const r = await c.query<{ key: string; state: string; retries: number }>(
      `SELECT singleton_key AS key, state, retry_count AS retries FROM ${schema}.job
       WHERE name LIKE 'exports-%' ORDER BY created_on`,
    );
    return r.rows;
  } finally {
    await c.end();
  }
}

const body = { dataset: 'people', format: 'csv', compression: 'gzip' } as const;

describe.skipIf(!started.ok)('team queue (pg-boss on PostgreSQL)', () => {
  it('announcing an export again adds no second job', async () => {
    const o = team(1);
    const queue = await openTeamQueue(pgUrl, { schema: o.schema, ...testQueueTimings });
    cleanups.push(() => queue.close());
    const id = '4f1c2b9e-0d7a-4c39-9d8e-3a7f7b1d2e01';
    for (let i = 0; i < 3; i++) await queue.enqueue([{ id, kind: 'dataset' }]);
    expect(await jobs(o.schema)).toEqual([{ key: id, state: 'created', retries: 0 }]);
  });

  it('two processes run 30 exports, each exactly once; a duplicate delivery does nothing', async () => {
    const o = team(500);
    const a = await engine(o);
    const b = await engine(o);
    const t0 = Date.now();
    const ids = Array.from(
      { length: 30 },
      (_, i) => (i % 2 ? a : b).svc.create({ ...body, name: `e${i}` }).export.id,
    );
    const db = openDatabase(o.storeFile);
    cleanups.push(async () => void db.close());
    await expect
      .poll(() => ids.filter((id) => a.repo.refresh(id)?.status === 'completed').length, {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(30);
    console.log(`team queue: 30 exports through two processes in ${Date.now() - t0} ms`);
    for (const id of ids) {
      expect(history(db, id)).toEqual(['pending', 'processing', 'completed']);
      expect(a.repo.refresh(id)!.attempts).toBe(1);
    }
    await expect
      .poll(async () => (await jobs(o.schema)).filter((j) => j.state === 'completed').length, {
        timeout: 20_000,
      })
      .toBe(30);

    // Every export announced again, as a retried create or a restart would: each new job is
    // delivered and completed without running anything.
    await a.queue.enqueue(ids.map((id) => ({ id, kind: 'dataset' as const })));
    await expect
      .poll(async () => (await jobs(o.schema)).filter((j) => j.state === 'completed').length, {
        timeout: 20_000,
      })
      .toBe(60);
    for (const id of ids) {
      expect(history(db, id)).toEqual(['pending', 'processing', 'completed']);
      expect(a.repo.refresh(id)!.attempts).toBe(1);
    }
  }, 120_000);

  it('an export whose process was killed (SIGKILL) is finished by another within the heartbeat window', async () => {
    const o = { ...team(2000), concurrency: 1 };
    const child = spawn(process.execPath, [join(here, 'queue-child.ts')], {
      env: {
        ...process.env,
        QUEUE_ENGINE: JSON.stringify(o),
        EXPORT_MANAGER_CRASH_AT: 'team:export-taken',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    // A process that only stores and announces (an API process with no room, say).
    const writer = await engine({ ...o, start: false });
    const ids = [0, 1, 2].map((i) => writer.svc.create({ ...body, name: `k${i}` }).export.id);
    expect(await exited).toBe('SIGKILL');
    const killedAt = Date.now();
    const taken = ids.filter((id) => writer.repo.refresh(id)?.status === 'processing');
    expect(taken.length).toBeGreaterThanOrEqual(1);

    const b = await engine(o);
    await expect
      .poll(() => ids.filter((id) => b.repo.refresh(id)?.status === 'completed').length, {
        timeout: 40_000,
        interval: 100,
      })
      .toBe(3);
    const tookOverMs = Date.now() - killedAt;
    // heartbeatSeconds (10) + a monitor pass (1) + the retry delay and a poll: well within 20 s.
    expect(tookOverMs).toBeLessThan(20_000);
    const db = openDatabase(o.storeFile);
    cleanups.push(async () => void db.close());
    for (const id of ids) {
      const dead = taken.includes(id);
      expect(history(db, id)).toEqual(
        dead
          ? ['pending', 'processing', 'pending', 'processing', 'completed']
          : ['pending', 'processing', 'completed'],
      );
      expect(b.repo.refresh(id)!.attempts).toBe(dead ? 2 : 1);
    }
    console.log(`team queue: a killed process's export completed ${tookOverMs} ms after the kill`);
  }, 120_000);

  it('a cancel reaches the process that runs the export', async () => {
    const o = team(400_000);
    const a = await engine(o);
    const b = await engine(o);
    const id = a.svc.create({ ...body, name: 'long', compression_level: 9 }).export.id;
    await expect
      .poll(() => a.repo.refresh(id)?.status, { timeout: 20_000, interval: 20 })
      .toBe('processing');
    // The process that took it makes the export's folder once it runs (after the status moved).
    const made = (e: typeof a) => existsSync(join(e.filesDir, id));
    await expect.poll(() => made(a) || made(b), { timeout: 10_000, interval: 10 }).toBe(true);
    const runs = made(a) ? a : b;
    const other = runs === a ? b : a;
    const canceled = await other.svc.cancel(id);
    expect(canceled.status).toBe('canceled');
    // The running process stops within its watch period and empties its folder for the export.
    await expect.poll(() => existsSync(join(runs.filesDir, id)), { timeout: 10_000 }).toBe(false);
    await expect
      .poll(async () => (await jobs(o.schema)).map((j) => j.state), { timeout: 20_000 })
      .toEqual(['completed']);
    const db = openDatabase(o.storeFile);
    cleanups.push(async () => void db.close());
    expect(history(db, id)).toEqual(['pending', 'processing', 'canceled']);
    expect(runs.repo.refresh(id)!.status).toBe('canceled');
  }, 120_000);

  it('a clean stop hands the running export back; another process resumes it, not as a new attempt', async () => {
    const o = team(400_000);
    const a = await engine(o);
    const id = a.svc.create({ ...body, name: 'handed back', compression_level: 9 }).export.id;
    await expect
      .poll(() => a.repo.refresh(id)?.status, { timeout: 20_000, interval: 20 })
      .toBe('processing');
    const b = await engine(o);
    await a.close();
    expect(b.repo.refresh(id)!.status).not.toBe('completed');
    await expect
      .poll(() => b.repo.refresh(id)?.status, { timeout: 60_000, interval: 100 })
      .toBe('completed');
    const db = openDatabase(o.storeFile);
    cleanups.push(async () => void db.close());
    expect(history(db, id)).toEqual([
      'pending',
      'processing',
      'pending',
      'processing',
      'completed',
    ]);
    expect(b.repo.refresh(id)!.attempts).toBe(1);
    const [job] = await jobs(o.schema);
    expect(job).toMatchObject({ key: id, state: 'completed', retries: 1 });
  }, 120_000);

  it('an export left processing by a process gone for good is given up after MAX_ATTEMPTS, as solo', async () => {
    const o = team(100);
    const writer = await engine({ ...o, start: false });
    const given = writer.svc.create({ ...body, name: 'third death' }).export.id;
    const again = writer.svc.create({ ...body, name: 'first death' }).export.id;
    await writer.close();
    // As a process that died running them left them (a solo run, or a job whose deliveries ran out).
    const db = openDatabase(o.storeFile);
    cleanups.push(async () => void db.close());
    const died = db.prepare(
      "UPDATE exports SET status = 'processing', attempts = ?, lease_owner = 'gone', lease_expires_at = 0 WHERE id = ?",
    );
    died.run(3, given);
    died.run(1, again);

    const b = await engine(o);
    await expect
      .poll(() => [b.repo.refresh(given)?.status, b.repo.refresh(again)?.status], {
        timeout: 20_000,
        interval: 50,
      })
      .toEqual(['failed', 'completed']);
    expect(JSON.parse(b.repo.refresh(given)!.error_json!)).toMatchObject({ code: 'INTERRUPTED' });
    expect(b.repo.refresh(again)!.attempts).toBe(2);
  }, 60_000);
});
