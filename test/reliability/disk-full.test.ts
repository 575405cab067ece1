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
import { startVendorFake } from '../fixtures/vendors/vendor-fake.ts';
import { recordFigures } from './figures.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const root = mkdtempSync(join(tmpdir(), 'em-diskfull-'));
const dataDir = join(root, 'data');
mkdirSync(dataDir);
const mounted =
  process.getuid?.() === 0 &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', dataDir]).status === 0;
// A second, tiny tmpfs: a user's destination folder that is full while the store is not.
const destDir = join(root, 'dest');
mkdirSync(destDir);
const destMounted =
  mounted && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', destDir]).status === 0;
if (!mounted) console.log('disk-full: cannot mount a tmpfs here (needs root); skipped.');

let srv: ServeProcess | undefined;
beforeAll(async () => {
  if (mounted) srv = await startServe(dataDir, ['--demo-rows', '60000']);
});
const figures: Record<string, unknown> = { tmpfs_mb: 48 };
afterAll(async () => {
  await srv?.stop();
  if (mounted) recordFigures('disk_full', figures);
  if (destMounted) spawnSync('umount', [destDir]);
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

const filler = join(dataDir, 'filler.bin');
/** Fills the tmpfs but for about `leaveBytes`. */
function fill(leaveBytes: number): number {
  writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes() - leaveBytes)));
  return freeBytes();
}

/** The store holds no .part and nothing of the failed export; the db is intact; the server answers. */
async function intactAfter(failed: Export, freeBefore: number): Promise<void> {
  const leftovers = readdirSync(join(dataDir, 'files'), { recursive: true }).map(String);
  expect(leftovers.filter((f) => f.endsWith('.part') || f.includes(failed.id))).toEqual([]);
  // The partial file's space came back.
  expect(freeBytes()).toBeGreaterThanOrEqual(freeBefore - 256 * 1024);
  expect((await fetch(`${srv!.base}/healthz`)).status).toBe(200);
  const list = await srv!.api<{ data: Export[] }>('GET', '/v1/exports');
  expect(list.status).toBe(200);
  const db = new Database(join(dataDir, 'export-manager.sqlite'), { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
}

/** Frees the space the filler took, recreates the export, and waits for it to complete. */
async function recreateAfterFreeing(id: string): Promise<Export> {
  rmSync(filler);
  const again = await srv!.api<{ data: Export }>('POST', `/v1/exports/${id}/recreate`);
  expect(again.status).toBe(202);
  const done = await final(again.json.data.id);
  expect(done.status, JSON.stringify(done.error)).toBe('completed');
  return done;
}

describe.skipIf(!mounted)('disk full on a real tmpfs', () => {
  it('a vendor download fails with DISK_FULL, its .part removed; recreating after freeing space works', async () => {
    // About 4 MB of gzip at the vendor; 1 MB left on the disk.
    const fake = await startVendorFake({ vendor: 'datadriver', rows: 300_000, pollsUntilDone: 0 });
    try {
      const provider = await srv!.api<{ data: { id: string } }>('POST', '/v1/providers', {
        name: 'big vendor',
        type: 'datadriver',
        base_url: fake.url,
        credential: fake.token,
      });
      expect(provider.status).toBe(201);
      const freeBefore = fill(1024 * 1024);
      const created = await srv!.api<{ data: Export }>('POST', '/v1/exports', {
        provider: provider.json.data.id,
        params: {},
        name: 'too big download',
      });
      expect(created.status).toBe(202);
      const failed = await final(created.json.data.id);
      const served = [...fake.state.exports.values()][0]!.files[0]!.body.length;
      expect(served).toBeGreaterThan(2 * 1024 * 1024);
      expect(failed.status).toBe('failed');
      expect(failed.error?.code, JSON.stringify(failed.error)).toBe('DISK_FULL');
      expect(failed.files).toEqual([]);
      await intactAfter(failed, freeBefore);

      const done = await recreateAfterFreeing(failed.id);
      expect(done.row_count).toBe(300_000);
      figures.vendor_download = {
        served_mb: Math.round(served / 1024 / 10.24) / 100,
        free_mb_at_export: Math.round(freeBefore / 1024 / 10.24) / 100,
        failed_code: failed.error?.code,
        recreated_rows: done.row_count,
      };
    } finally {
      await fake.stop();
    }
  });

  it('a local export fails with DISK_FULL, keeps nothing partial, the database intact; recreating after freeing space works', async () => {
    // Leave about 2 MB: the uncompressed export needs several times that.
    const freeBefore = fill(2 * 1024 * 1024);

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

    // No partial file anywhere in the store, the server answers, the database is intact.
    await intactAfter(failed, freeBefore);

    // Free the space; the same request again completes, and its file is whole.
    const done = await recreateAfterFreeing(failed.id);
    const file = await fetch(done.download_url!);
    const text = Buffer.from(await file.arrayBuffer()).toString('utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(60_001);
    expect(() => gunzipSync(Buffer.from(text))).toThrow(); // stored as plain CSV, as asked
    figures.local_export = {
      free_mb_at_export: Math.round(freeBefore / 1024 / 1024),
      failed_code: failed.error?.code,
      recreated_rows: done.row_count,
    };
  });

  it.skipIf(!destMounted)(
    'a full destination folder: the export completes with DESTINATION_FAILED, no partial copy left',
    async () => {
      const created = await srv!.api<{ data: Export }>('POST', '/v1/exports', {
        dataset: 'leads',
        compression: 'gzip',
        name: 'to a full folder',
        destination: { dir: destDir, decompress: true },
      });
      expect(created.status).toBe(202);
      const done = await final(created.json.data.id);
      expect(done.status).toBe('completed');
      expect(done.error?.code).toBe('DESTINATION_FAILED');
      expect(done.destination?.saved_paths).toEqual([]);
      expect(readdirSync(destDir)).toEqual([]);
      // The stored file is whole and served.
      const file = await fetch(done.download_url!);
      expect(file.status).toBe(200);
      const plain = gunzipSync(Buffer.from(await file.arrayBuffer())).toString('utf8');
      expect(plain.trimEnd().split('\n')).toHaveLength(60_001);
      expect((await fetch(`${srv!.base}/healthz`)).status).toBe(200);
      figures.full_destination = {
        destination_mb: 1,
        decompressed_mb: Math.round(plain.length / 1024 / 102.4) / 10,
        warning_code: done.error?.code,
      };
    },
  );
});
