// Disk full for real: the data folder on a small tmpfs, nearly filled; an export fails with
// DISK_FULL, leaves no partial file, the database stays intact, the server answers; after space is
// freed, recreating succeeds. Needs root for mount; where it cannot mount it says so and skips
// (the injected-ENOSPC unit test in test/server still covers the code path).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { Export } from '../../shared/schemas/exports.ts';
import { recordFigures } from './figures.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const root = mkdtempSync(join(tmpdir(), 'em-diskfull-'));
const dataDir = join(root, 'data');
mkdirSync(dataDir);
const mounted =
  process.getuid?.() === 0 &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', dataDir]).status === 0;
if (!mounted) console.log('disk-full: cannot mount a tmpfs here (needs root); skipped.');

let srv: ServeProcess | undefined;
beforeAll(async () => {
  if (mounted) srv = await startServe(dataDir, ['--demo-rows', '60000']);
});
afterAll(async () => {
  await srv?.stop();
  if (mounted) spawnSync('umount', [dataDir]);
  rmSync(root, { recursive: true, force: true });
});

const freeBytes = () => {
  const s = statfsSync(dataDir);
  return s.bavail * s.bsize;
};

async function final(id: string): Promise<Export> {
  for (let i = 0; i < 600; i++) {
    const { json } = await srv!.api<{ data: Export }>('GET', `/v1/exports/${id}`);
    if (!['pending', 'processing'].includes(json.data.status)) return json.data;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`export ${id} never finished`);
}

describe.skipIf(!mounted)('disk full on a real tmpfs', () => {
  it('fails with DISK_FULL, keeps nothing partial, the database intact; recreating after freeing space works', async () => {
    // Leave about 2 MB: the uncompressed export needs several times that.
    const filler = join(dataDir, 'filler.bin');
    writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes() - 2 * 1024 * 1024)));
    const freeBefore = freeBytes();

    const created = await srv!.api<{ data: Export }>('POST', '/v1/exports', {
      dataset: 'leads',
      compression: 'none',
      name: 'too big',
    });
    expect(created.status).toBe(202);
    const failed = await final(created.json.data.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('DISK_FULL');
    expect(failed.files).toEqual([]);

    // No partial file anywhere in the store, and its space came back.
    const leftovers = readdirSync(join(dataDir, 'files'), { recursive: true }).map(String);
    expect(leftovers.filter((f) => f.endsWith('.part') || f.includes(failed.id))).toEqual([]);
    expect(freeBytes()).toBeGreaterThanOrEqual(freeBefore - 256 * 1024);

    // The server answers and the database is intact.
    expect((await fetch(`${srv!.base}/healthz`)).status).toBe(200);
    const list = await srv!.api<{ data: Export[] }>('GET', '/v1/exports');
    expect(list.status).toBe(200);
    const db = new Database(join(dataDir, 'export-manager.sqlite'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    // Free the space; the same request again completes, and its file is whole.
    rmSync(filler);
    const again = await srv!.api<{ data: Export }>('POST', `/v1/exports/${failed.id}/recreate`);
    expect(again.status).toBe(202);
    const done = await final(again.json.data.id);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const file = await fetch(done.download_url!);
    const text = Buffer.from(await file.arrayBuffer()).toString('utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(60_001);
    expect(() => gunzipSync(Buffer.from(text))).toThrow(); // stored as plain CSV, as asked
    recordFigures('disk_full', {
      tmpfs_mb: 48,
      free_mb_at_export: Math.round(freeBefore / 1024 / 1024),
      failed_code: failed.error?.code,
      recreated_rows: done.row_count,
    });
  });
});
