import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventName } from '../../../shared/events.ts';
import { tempDir } from '../../helpers/context.ts';
import { makeHarness, leads, type Harness } from './harness.ts';

let h: Harness;
const dirs: string[] = [];
afterEach(async () => {
  await h.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const HOUR = 3600_000;
const folder = () => {
  const d = tempDir('em-dest-');
  dirs.push(d);
  return d;
};

describe('retain, destinations and templates', () => {
  it('retain: 2 leaves the two newest files in the folder and deletes older runs with their files', async () => {
    h = makeHarness();
    const dir = folder();
    const s = h.svc.create(
      leads({
        every_seconds: 10,
        retain: 2,
        destination: { dir, decompress: true },
        filename_template: '{schedule}',
      }),
    );
    await h.drive(50_000, 10_000);
    // The stable file and the two newest runs' own copies.
    expect(readdirSync(dir).sort()).toEqual([
      'daily leads.4.csv',
      'daily leads.5.csv',
      'daily leads.csv',
    ]);
    const history = h.svc.runs(s.id, 10).items;
    expect(history.map((r) => r.number)).toEqual([5, 4, 3, 2, 1]);
    expect(history.map((r) => r.file_removed)).toEqual([
      null,
      null,
      'file removed (retain 2)',
      'file removed (retain 2)',
      'file removed (retain 2)',
    ]);
    expect(history[0]!.stable_path).toBe(join(dir, 'daily leads.csv'));
    const kept = [...h.fake.all.values()];
    expect(kept).toHaveLength(2);
    expect(h.svc.get(s.id).latest_export?.id).toBe(
      kept.sort((a, b) => (a.id < b.id ? 1 : -1))[0]!.id,
    );
    // The stored files of the pruned runs are gone too, not only the records.
    expect(readdirSync(h.ctx.paths.filesDir).sort()).toEqual(kept.map((e) => e.id).sort());
  });

  it('keeps one stable file, each run beside it as <name>.<n>.<ext>, never over a file of yours', async () => {
    h = makeHarness();
    const dir = folder();
    writeFileSync(join(dir, 'leads-2026-03-01.2.csv.gz'), 'mine');
    const s = h.svc.create(
      leads({ every_seconds: 3600, destination: { dir }, filename_template: 'leads-{date}' }),
    );
    h.svc.runNow(s.id);
    await h.completeOpen();
    expect(readFileSync(join(dir, 'leads-2026-03-01.csv.gz'))).toEqual(
      readFileSync(join(dir, 'leads-2026-03-01.1.csv.gz')),
    );
    h.svc.runNow(s.id);
    await h.completeOpen();
    expect(readdirSync(dir).sort()).toEqual([
      'leads-2026-03-01.1.csv.gz',
      'leads-2026-03-01.2 (2).csv.gz',
      'leads-2026-03-01.2.csv.gz',
      'leads-2026-03-01.csv.gz',
    ]);
    expect(readFileSync(join(dir, 'leads-2026-03-01.2.csv.gz'), 'utf8')).toBe('mine');
  });

  it('tells windows once the stable file is replaced, so a history read then shows it', async () => {
    h = makeHarness();
    const dir = folder();
    const s = h.svc.create(leads({ every_seconds: 3600, destination: { dir, decompress: true } }));
    const stableAtEachUpdate: (string | null)[] = [];
    h.ctx.events.on('schedule.updated', () =>
      stableAtEachUpdate.push(h.svc.runs(s.id, 1).items[0]?.stable_path ?? null),
    );
    h.svc.runNow(s.id);
    await h.completeOpen();
    await h.svc.idle();
    expect(stableAtEachUpdate.at(-1)).toBe(join(dir, 'daily-leads.csv'));
    expect(stableAtEachUpdate.slice(0, -1).every((p) => p === null)).toBe(true);
  });

  it('lowering retain prunes at once; deleting a run by hand makes the previous one latest', async () => {
    h = makeHarness();
    const s = h.svc.create(leads({ every_seconds: 60 }));
    await h.drive(4 * 60_000, 60_000);
    const runs = [...h.fake.all.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(runs).toHaveLength(4);
    await h.fake.delete(runs[3]!.id);
    expect(h.svc.get(s.id).latest_export?.id).toBe(runs[2]!.id);
    h.svc.update(s.id, { retain: 1 });
    await h.svc.idle();
    expect([...h.fake.all.keys()]).toEqual([runs[2]!.id]);
  });
});

describe('keep-fresh', () => {
  it('re-creates the latest export a margin before it expires, so a fresh one is always there', async () => {
    h = makeHarness({ config: { retentionSeconds: 24 * 3600 } });
    const s = h.svc.create(
      leads({
        cron: '0 6 1 * *',
        keep_fresh: true,
        keep_fresh_margin_seconds: 3600,
        first_run: 'now',
      }),
    );
    // first_run 'now': one at once rather than waiting for the 1st of April.
    h.base.clock.advance(0);
    expect(h.fake.open()).toHaveLength(1);
    await h.completeOpen();
    const first = h.svc.get(s.id).latest_export!;
    expect(h.svc.get(s.id).next_run_at).toBe('2026-03-02T11:00:00.000Z');

    h.base.clock.advance(23 * HOUR - 1000);
    expect(h.fake.open()).toHaveLength(0);
    h.base.clock.advance(1000);
    const refresh = h.fake.open()[0]!;
    expect(refresh.recreated_from).toBe(first.id);
    expect(refresh.schedule_id).toBe(s.id);
    await h.completeOpen();
    const now = h.svc.get(s.id);
    expect(now.latest_export!.id).toBe(refresh.id);
    expect(h.svc.latestDownload(s.id)).toContain(`/files/${refresh.id}/`);

    // Across several expiries, latest/download always answers with an unexpired export.
    for (let hour = 0; hour < 72; hour++) {
      h.base.clock.advance(HOUR);
      h.fake.sweep();
      await h.completeOpen();
      const latest = h.svc.get(s.id).latest_export!;
      expect(latest.status).toBe('completed');
      expect(() => h.svc.latestDownload(s.id)).not.toThrow();
    }
  });

  it('with a margin longer than the export lives, re-creates at half-life instead of in a loop', async () => {
    h = makeHarness({ config: { retentionSeconds: 10 } });
    const s = h.svc.create(leads({ every_seconds: 86400, keep_fresh: true, first_run: 'now' }));
    h.base.clock.advance(0);
    await h.completeOpen();
    h.base.clock.advance(4_999);
    expect(h.fake.open()).toHaveLength(0);
    h.base.clock.advance(1);
    expect(h.fake.open()).toHaveLength(1);
    await h.completeOpen();
    expect(h.runTimes(s.id)).toHaveLength(2);
  });

  it('keeps a provider export fresh the same way', async () => {
    h = makeHarness({ config: { retentionSeconds: 7200 } });
    const s = h.svc.create({
      name: 'vendor leads',
      request: { provider: '0193a3b0-0000-7000-8000-000000000001', params: { list: 7 } },
      every_seconds: 7 * 86400,
      keep_fresh: true,
      keep_fresh_margin_seconds: 600,
      first_run: 'now',
    });
    h.base.clock.advance(0);
    await h.completeOpen();
    h.base.clock.advance(7200_000 - 600_000);
    const refresh = h.fake.open()[0]!;
    expect(refresh.source.type).toBe('provider');
    expect(refresh.params).toEqual({ list: 7 });
    expect(refresh.recreated_from).toBe(h.svc.get(s.id).latest_export!.id);
  });
});

describe('failures and backoff', () => {
  it('backs off after each failure, says so, and recovers; other schedules keep their time', async () => {
    h = makeHarness();
    const failing = h.svc.create(leads({ name: 'failing', every_seconds: 10 }));
    const healthy = h.svc.create(leads({ name: 'healthy', every_seconds: 10 }));
    const failed: string[] = [];
    h.ctx.events.on('schedule.failed', (x) => failed.push(x.id));
    let broken = true;
    const tenSeconds = async (times: number) => {
      for (let i = 0; i < times; i++) {
        h.base.clock.advance(10_000);
        for (const e of h.fake.open()) if (broken && e.name === 'failing') h.fake.fail(e.id);
        await h.completeOpen();
      }
    };

    await tenSeconds(1);
    let f = h.svc.get(failing.id);
    expect(f.consecutive_failures).toBe(1);
    expect(f.last_error).toEqual({
      code: 'QUERY_TOO_BROAD',
      message: 'Too many rows.',
      at: '2026-03-01T12:00:10.000Z',
    });
    expect(f.next_run_at).toBe('2026-03-01T12:00:40.000Z');
    expect(failed).toEqual([failing.id]);

    await tenSeconds(3);
    f = h.svc.get(failing.id);
    expect(f.consecutive_failures).toBe(2);
    expect(f.next_run_at).toBe('2026-03-01T12:01:40.000Z');
    expect(h.runTimes(failing.id)).toEqual([
      '2026-03-01T12:00:10.000Z',
      '2026-03-01T12:00:40.000Z',
    ]);
    // Meanwhile the healthy schedule ran every 10 s.
    expect(h.runTimes(healthy.id)).toHaveLength(4);

    broken = false;
    await tenSeconds(6);
    f = h.svc.get(failing.id);
    expect(f.consecutive_failures).toBe(0);
    expect(f.latest_export?.status).toBe('completed');
    expect(h.runTimes(failing.id)).toHaveLength(3);
    expect(f.next_run_at).toBe('2026-03-01T12:01:50.000Z');
  });

  it('a request that cannot start (dataset deleted) counts as a failure with its reason', async () => {
    h = makeHarness();
    const s = h.svc.create(leads({ every_seconds: 60 }));
    h.fake.datasets.delete('leads');
    h.base.clock.advance(60_000);
    const f = h.svc.get(s.id);
    expect(f.consecutive_failures).toBe(1);
    expect(f.last_error?.message).toContain('unknown dataset "leads"');
    expect(() => h.svc.runNow(s.id)).toThrow(/unknown dataset/);
    expect(h.svc.get(s.id).consecutive_failures).toBe(2);
  });
});

describe('the service interface', () => {
  it('refuses bad schedules with a message naming the field', () => {
    h = makeHarness();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ cron: 'every day' }, /cron "every day" is invalid/],
      [{ cron: '0 9 * * *', timezone: 'Europe/Atlantis' }, /timezone "Europe\/Atlantis"/],
      [{ cron: '0 9 * * *', every_seconds: 60 }, /either "cron" or "every_seconds", not both/],
      [{}, /Give "cron" .* or "every_seconds"/],
      [{ every_seconds: 60, request: { format: 'csv' } }, /request needs a "dataset"/],
      [{ every_seconds: 60, request: { dataset: 'nope' } }, /request: unknown dataset "nope"/],
      [{ every_seconds: 60, filename_template: '{x}' }, /unknown placeholder \{x\}/],
      [{ every_seconds: 60, filename_template: 'a' }, /needs a destination/],
      [
        { every_seconds: 60, destination: { dir: 'rel/dir' } },
        /destination.dir must be an absolute/,
      ],
    ];
    for (const [extra, msg] of cases) {
      expect(() => h.svc.create(leads(extra)), JSON.stringify(extra)).toThrow(msg);
    }
    expect(h.svc.list()).toEqual([]);
  });

  it('pauses and resumes, switches timetables by patch, runs now even when paused', async () => {
    h = makeHarness();
    const s = h.svc.create(leads({ every_seconds: 60 }));
    const paused = h.svc.update(s.id, { enabled: false });
    expect(paused.next_run_at).toBeNull();
    h.base.clock.advance(HOUR);
    expect(h.fake.all.size).toBe(0);
    h.svc.runNow(s.id);
    expect(h.fake.open()).toHaveLength(1);
    await h.completeOpen();
    const resumed = h.svc.update(s.id, { enabled: true, cron: '*/15 * * * *', timezone: 'UTC' });
    expect(resumed.every_seconds).toBeNull();
    expect(resumed.next_run_at).toBe('2026-03-01T13:15:00.000Z');
    expect(() => h.svc.update(s.id, { every_seconds: 5, cron: '* * * * *' })).toThrow(/not both/);
    expect(() => h.svc.get('nope')).toThrow(/not a schedule id/);
    expect(() => h.svc.get('0193a3b0-0000-7000-8000-000000000001')).toThrow(/No schedule/);
  });

  it('emits schedule.fired, schedule.updated, schedule.completed and schedule.deleted', async () => {
    h = makeHarness();
    const seen: EventName[] = [];
    h.ctx.events.onAny((name) => {
      if (name.startsWith('schedule.')) seen.push(name);
    });
    const s = h.svc.create(leads({ every_seconds: 60 }));
    h.base.clock.advance(60_000);
    await h.completeOpen();
    h.svc.delete(s.id);
    expect(seen).toEqual([
      'schedule.updated',
      'schedule.fired',
      'schedule.updated',
      'schedule.updated',
      'schedule.completed',
      'schedule.deleted',
    ]);
  });

  it('latest download: 404 before any run, not ready while the first runs, then the file', async () => {
    h = makeHarness();
    const s = h.svc.create(leads({ every_seconds: 60 }));
    expect(() => h.svc.latestDownload(s.id)).toThrow(/no completed export yet/);
    h.svc.runNow(s.id);
    expect(() => h.svc.latestDownload(s.id)).toThrow(/still in progress/);
    await h.completeOpen();
    expect(existsSync(h.ctx.paths.filesDir)).toBe(true);
    expect(h.svc.latestDownload(s.id)).toMatch(/^http:\/\/127\.0\.0\.1:8787\/files\//);
  });

  it('previews the next runs in the schedule zone', () => {
    h = makeHarness();
    const p = h.svc.previewRuns({ cron: '0 9 * * *', timezone: 'Europe/Paris' }, 2);
    expect(p.runs.map((r) => r.at)).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-03T08:00:00.000Z',
    ]);
  });
});
