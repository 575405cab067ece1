// kill -9 between a schedule run's export commit and the schedule's own commit: one export per slot.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type ServeProcess } from './serve-process.ts';

let serve: ServeProcess | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await serve?.stop();
  serve = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a schedule slot across a crash', () => {
  it('killed right after its export is created, the restarted engine finishes that run with that export', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'em-slot-crash-'));
    dirs.push(dataDir);
    process.env.EXPORT_MANAGER_CRASH_AT = 'schedule:export-created';
    try {
      serve = await startServe(dataDir, ['--demo-rows', '2000']);
    } finally {
      delete process.env.EXPORT_MANAGER_CRASH_AT;
    }
    const crashed = new Promise<void>((r) => serve!.child.once('exit', () => r()));
    const created = await serve.api<{ data: { id: string } }>('POST', '/v1/schedules', {
      name: 'hourly',
      request: { dataset: 'leads' },
      every_seconds: 3600,
      timezone: 'UTC',
      first_run: 'now',
    });
    expect(created.status).toBe(201);
    const id = created.json.data.id;
    await crashed;
    expect(serve.child.signalCode).toBe('SIGKILL');

    serve = await startServe(dataDir, ['--demo-rows', '2000']);
    let runs: { number: number; status: string; export_id: string | null }[] = [];
    for (let i = 0; i < 400; i++) {
      runs = (await serve.api<{ data: typeof runs }>('GET', `/v1/schedules/${id}/runs`)).json.data;
      if (runs[0]?.status === 'completed') break;
      await sleep(50);
    }
    const exports = (
      await serve.api<{ data: { id: string }[] }>('GET', `/v1/exports?schedule_id=${id}`)
    ).json.data;
    expect(exports).toHaveLength(1);
    expect(runs).toMatchObject([{ number: 1, status: 'completed', export_id: exports[0]!.id }]);
    const sch = (await serve.api<{ data: { next_run_at: string } }>('GET', `/v1/schedules/${id}`))
      .json.data;
    expect(Date.parse(sch.next_run_at) - Date.now()).toBeGreaterThan(3000_000);
  });
});
