// The data folder: one engine at a time, a damaged store refused (and kept), permissions, and
// start-up recovery that never deletes a user's dataset.
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/context.ts';
import { recordFigures } from './figures.ts';
import { runCli, startServe, type ServeProcess } from './serve-process.ts';

const dirs: string[] = [];
const procs: ServeProcess[] = [];
const dir = () => {
  const d = tempDir('em-rel-folder-');
  dirs.push(d);
  return d;
};
const serve = async (d: string, args: string[] = []) => {
  const p = await startServe(d, ['--demo-rows', '0', ...args]);
  procs.push(p);
  return p;
};
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const mode = (f: string) => statSync(f).mode & 0o777;

afterAll(async () => {
  for (const p of procs) await p.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('one engine per data folder', () => {
  it('a second serve on the folder exits with one line naming the holder; a dead holder is taken over', async () => {
    const d = dir();
    const first = await serve(d);
    const t0 = performance.now();
    const second = await runCli(['serve', '--port', '0', '--data-dir', d], process.env, 15_000);
    const refusedMs = Math.round(performance.now() - t0);
    expect(second.code, second.output).toBe(1);
    const lines = second.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`pid ${first.child.pid}`);
    expect(lines[0]).toContain('serve');
    // The first one is untouched: still serving, its pid file still names it.
    expect((await first.api('GET', '/v1/settings')).status).toBe(200);
    expect(JSON.parse(readFileSync(join(d, 'engine.pid'), 'utf8')).pid).toBe(first.child.pid);

    // kill -9 leaves engine.pid naming a dead process: the OS lock went with it, so it is stale.
    await first.kill9();
    expect(existsSync(join(d, 'engine.pid'))).toBe(true);
    const next = await serve(d);
    expect(next.output()).toContain('took over the data folder');
    expect(JSON.parse(readFileSync(join(d, 'engine.pid'), 'utf8')).pid).toBe(next.child.pid);
    await next.stop();
    // A clean stop releases it: no pid file left behind.
    expect(existsSync(join(d, 'engine.pid'))).toBe(false);
    recordFigures('data-folder-lock', { second_engine_refused_ms: refusedMs });
  });
});

describe('permissions', () => {
  it('the data folder is 0700 and the store, its WAL and the key 0600, even when made looser before', async () => {
    const d = dir();
    chmodSync(d, 0o755);
    mkdirSync(join(d, 'datasets'), { mode: 0o755 });
    chmodSync(join(d, 'datasets'), 0o755);
    const p = await serve(d);
    expect(mode(d)).toBe(0o700);
    expect(mode(join(d, 'datasets'))).toBe(0o700);
    for (const f of ['export-manager.sqlite', 'export-manager.sqlite-wal', 'api-key'])
      expect(mode(join(d, f)), f).toBe(0o600);
    await p.stop();
  });
});

/** Overwrites the b-tree page type of the api_keys table's root page: quick_check reports it. */
function corruptStore(file: string): void {
  const db = new Database(file);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const root = (
    db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'api_keys'").get() as {
      rootpage: number;
    }
  ).rootpage;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, (root - 1) * pageSize);
  closeSync(fd);
}

describe('a damaged job store', () => {
  it('is refused at start and kept byte for byte, with how to recover; doctor finds and rebuilds it', async () => {
    const d = dir();
    const store = join(d, 'export-manager.sqlite');
    await (await serve(d)).stop();
    corruptStore(store);
    const before = sha(store);

    const refused = await runCli(['serve', '--port', '0', '--data-dir', d], process.env, 15_000);
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toContain('is damaged');
    expect(refused.output).toContain('export-manager doctor');
    expect(sha(store)).toBe(before);

    const checked = await runCli(['doctor', '--data-dir', d]);
    expect(checked.code, checked.output).toBe(1);
    expect(checked.output).toContain('is damaged');
    expect(sha(store)).toBe(before);

    const repaired = await runCli(['doctor', '--repair', '--data-dir', d]);
    expect(repaired.code, repaired.output).toBe(0);
    const kept = readdirSync(d).find((f) => f.startsWith('export-manager.sqlite.damaged-'));
    expect(kept, readdirSync(d).join(', ')).toBeTruthy();
    expect(sha(join(d, kept!))).toBe(before);
    const again = await serve(d);
    expect((await again.api('GET', '/v1/settings')).status).toBe(200);
    await again.stop();
  });

  it('quick_check at start costs little next to integrity_check (figures)', () => {
    const d = dir();
    const db = new Database(join(d, 'big.sqlite'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT); CREATE INDEX ta ON t(a)');
    const ins = db.prepare('INSERT INTO t (a, b) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 200_000; i++) ins.run(`k${(i * 7919) % 200_000}`, 'x'.repeat(40));
    })();
    const time = (pragma: string) => {
      const t = performance.now();
      db.pragma(pragma);
      return performance.now() - t;
    };
    const quick = time('quick_check');
    const full = time('integrity_check');
    db.close();
    recordFigures('store-check-cost', {
      rows: 200_000,
      quick_check_ms: Math.round(quick),
      integrity_check_ms: Math.round(full),
      ratio: Number((full / Math.max(quick, 0.001)).toFixed(1)),
    });
    expect(quick).toBeLessThan(full);
  });
});

describe('start-up recovery', () => {
  it('a dataset file the job store does not know (store missing) is moved to recovered/, never deleted', async () => {
    const d = dir();
    const first = await startServe(d, ['--demo-rows', '500']);
    procs.push(first);
    await first.stop();
    const dataset = join(d, 'datasets', 'leads.sqlite');
    const before = sha(dataset);
    for (const f of [
      'export-manager.sqlite',
      'export-manager.sqlite-wal',
      'export-manager.sqlite-shm',
    ])
      rmSync(join(d, f), { force: true });
    const p = await serve(d);
    await p.stop();
    const moved = join(d, 'recovered', 'leads.sqlite');
    expect(existsSync(moved), p.output()).toBe(true);
    expect(sha(moved)).toBe(before);
    expect(p.output()).toMatch(/moved .*leads\.sqlite to .*recovered/);
  });
});
