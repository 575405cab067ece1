// Schedules on the real engine: real exports in worker threads, real files, a fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { createEngine, type Engine } from '../../../electron/engine/engine.ts';
import { silentLogger } from '../../../electron/engine/logger.ts';
import { tempDir } from '../../helpers/context.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const dirs: string[] = [];
let engine: Engine | null = null;
let clock: FakeClock;

afterEach(async () => {
  await engine?.close();
  engine = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = tempDir('em-sched-');
  dirs.push(d);
  return d;
}

async function startEngine(dataDir: string, retentionSeconds = 604800): Promise<Engine> {
  const e = createEngine({
    dataDir,
    clock,
    demoRows: 200,
    retentionSeconds,
    logger: silentLogger,
    version: '0.0.0-test',
    exportsTestSeams: { progressMs: 0 },
  });
  await e.start();
  engine = e;
  return e;
}

/** Waits (in real time) until the schedule has no run in progress and pruning is done. */
async function settled(e: Engine, id: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (e.schedules.get(id).running_export_id !== null) {
    if (Date.now() > deadline) throw new Error('run did not finish');
    await new Promise((r) => setTimeout(r, 10));
  }
  await e.schedules.idle();
}

describe('schedules with the real exports service', () => {
  it('every minute with retain 2: exactly the two newest decompressed files stay, records too', async () => {
    clock = new FakeClock('2026-03-01T12:00:00Z');
    const e = await startEngine(dir());
    const dest = dir();
    const s = e.schedules.create({
      name: 'minutely',
      request: {
        dataset: 'leads',
        filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
      },
      every_seconds: 60,
      timezone: 'UTC',
      retain: 2,
      destination: { dir: dest, decompress: true },
      filename_template: '{schedule}',
    });
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000);
      expect(e.schedules.get(s.id).running_export_id).not.toBeNull();
      await settled(e, s.id);
    }
    await e.schedules.idle();
    expect(readdirSync(dest).sort()).toEqual(['minutely.3.csv', 'minutely.4.csv', 'minutely.csv']);
    expect(readFileSync(join(dest, 'minutely.csv'))).toEqual(
      readFileSync(join(dest, 'minutely.4.csv')),
    );
    const rows = parse(readFileSync(join(dest, 'minutely.csv')), {
      columns: true,
    }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.state === 'TX')).toBe(true);

    const kept = e.exports.list({ schedule_id: s.id }).items;
    expect(kept.map((x) => x.status)).toEqual(['completed', 'completed']);
    expect(readdirSync(e.ctx.paths.filesDir).sort()).toEqual(kept.map((x) => x.id).sort());
    expect(e.schedules.get(s.id).latest_export?.id).toBe(kept[0]!.id);
    expect(e.schedules.latestDownload(s.id)).toContain(`/files/${kept[0]!.id}/`);
  });

  it('keep-fresh re-creates a local export before it expires, across several expiries', async () => {
    clock = new FakeClock('2026-03-01T12:00:00Z');
    const e = await startEngine(dir(), 3600);
    const s = e.schedules.create({
      name: 'fresh leads',
      request: { dataset: 'leads', format: 'jsonl' },
      every_seconds: 30 * 86400,
      keep_fresh: true,
      keep_fresh_margin_seconds: 600,
      first_run: 'now',
    });
    clock.advance(0);
    await settled(e, s.id);
    let latest = e.schedules.get(s.id).latest_export!;
    expect(latest.status).toBe('completed');
    for (let round = 0; round < 3; round++) {
      // Due 50 minutes after the latest completed (its hour minus the 10-minute margin).
      clock.advance((round === 0 ? 3000_000 : 2400_000) - 1000);
      expect(e.schedules.get(s.id).running_export_id).toBeNull();
      clock.advance(1000);
      await settled(e, s.id);
      const next = e.schedules.get(s.id).latest_export!;
      expect(next.recreated_from).toBe(latest.id);
      expect(next.format).toBe('jsonl');
      // The previous one expires 10 minutes later; the link keeps pointing at a live file.
      clock.advance(600_000);
      expect(e.exports.get(latest.id).status).toBe('expired');
      expect(e.schedules.latestDownload(s.id)).toContain(`/files/${next.id}/`);
      latest = next;
    }
  });

  it('a restarted engine keeps next_run_at and does not run twice', async () => {
    clock = new FakeClock('2026-03-01T12:00:00Z');
    const dataDir = dir();
    let e = await startEngine(dataDir);
    const s = e.schedules.create({
      name: 'hourly',
      request: { dataset: 'leads' },
      every_seconds: 3600,
      timezone: 'UTC',
    });
    clock.advance(3600_000);
    await settled(e, s.id);
    expect(e.schedules.get(s.id).next_run_at).toBe('2026-03-01T14:00:00.000Z');
    await e.close();
    engine = null;
    clock.advance(30 * 60_000);
    e = await startEngine(dataDir);
    expect(e.schedules.get(s.id).next_run_at).toBe('2026-03-01T14:00:00.000Z');
    expect(e.schedules.get(s.id).running_export_id).toBeNull();
    expect(e.exports.list({ schedule_id: s.id }).items).toHaveLength(1);
    clock.advance(30 * 60_000);
    await settled(e, s.id);
    expect(e.exports.list({ schedule_id: s.id }).items).toHaveLength(2);
  });

  it('refuses a schedule whose request names an unknown column, on save', async () => {
    clock = new FakeClock('2026-03-01T12:00:00Z');
    const e = await startEngine(dir());
    expect(() =>
      e.schedules.create({
        name: 'typo',
        request: { dataset: 'leads', columns: ['emial'] },
        every_seconds: 60,
      }),
    ).toThrow(/request: unknown column "emial"/);
  });
});
