import { storeKind } from '../helpers/test-store.ts';
import { sqliteStore } from '../../electron/engine/store/store-db.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { createExport, fetchLink, linkParts, waitFinal } from '../helpers/exports.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { tempDir } from '../helpers/context.ts';
import { exportRow } from '../helpers/export-row.ts';
import { createExportsRepo } from '../../electron/engine/exports/exports-repo.ts';
import { openDatabase } from '../../electron/engine/store/db.ts';
import { newId } from '../../electron/engine/ids.ts';

const open: TestServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
async function server(opts: Parameters<typeof makeServer>[0] = {}) {
  const s = await makeServer({ demoRows: 2000, exportsTestSeams: { progressMs: 0 }, ...opts });
  open.push(s);
  return s;
}

describe('presigned file route', () => {
  it('serves Range (206, 416), ETag (304), HEAD, and refuses tampered or malformed links', async () => {
    const s = await server();
    const exp = await waitFinal(
      s,
      (await createExport(s, { dataset: 'leads', compression: 'none', columns: ['id'] })).json()
        .data.id,
    );
    const url = exp.download_url!;
    const full = await fetchLink(s, url);
    expect(full.statusCode).toBe(200);
    expect(full.headers['accept-ranges']).toBe('bytes');
    const part = await fetchLink(s, url, { range: 'bytes=0-9' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 0-9/${exp.byte_size}`);
    expect(part.rawPayload.equals(full.rawPayload.subarray(0, 10))).toBe(true);
    const tail = await fetchLink(s, url, { range: 'bytes=-5' });
    expect(tail.rawPayload.equals(full.rawPayload.subarray(-5))).toBe(true);
    expect((await fetchLink(s, url, { range: `bytes=${exp.byte_size! + 10}-` })).statusCode).toBe(
      416,
    );
    expect(
      (await fetchLink(s, url, { 'if-none-match': String(full.headers.etag) })).statusCode,
    ).toBe(304);
    // If-Range with a stale validator gets the whole file, never a splice of two versions.
    expect(
      (await fetchLink(s, url, { range: 'bytes=0-9', 'if-range': '"stale"' })).statusCode,
    ).toBe(200);
    const u = new URL(url);
    const head = await s.call({ method: 'HEAD', url: u.pathname + u.search, key: null });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(exp.byte_size));
    expect(head.body).toBe('');

    const link = linkParts(url);
    const flip = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
    const tampered = [
      link.with({ signature: flip(link.signature) }),
      link.with({ expires: String(Number(link.expires) + 1) }),
      link.with({ filename: 'other.csv' }),
      `${link.path}?expires=${link.expires}&signature=${flip(link.signature)}`,
      `${link.path}?expires=${link.expires}`,
      link.path.replace(exp.files[0]!.filename, 'other.csv') +
        `?expires=${link.expires}&signature=${link.signature}`,
    ].map((p) => `http://127.0.0.1${p}`);
    // The older query form of the same link still opens the file until it expires.
    expect((await fetchLink(s, `http://127.0.0.1${link.queryForm}`)).statusCode).toBe(200);
    for (const t of tampered) {
      const res = await fetchLink(s, t);
      expect(res.statusCode, t).toBe(403);
      expect(res.json().error.code).toBe('SIGNATURE_INVALID');
    }
    for (const path of [
      `/files/${exp.id}/..%2F..%2Fexport-manager.sqlite`,
      `/files/${exp.id}/%2e%2e`,
      `/files/..%2F..%2Fetc/passwd`,
      `/files/${exp.id}/a%00b`,
      `/files/${exp.id}/x/../../api-key`,
      '/files//etc/passwd',
    ]) {
      const res = await s.call({
        url: `${path}?expires=${link.expires}&signature=${link.signature}`,
        key: null,
      });
      expect(res.statusCode, path).toBe(400);
      expect(res.body).not.toContain('em_');
    }
  });

  it("a link for one export cannot read another export's file", async () => {
    const s = await server();
    const a = await waitFinal(
      s,
      (await createExport(s, { dataset: 'leads', name: 'a', columns: ['id'] })).json().data.id,
    );
    const b = await waitFinal(
      s,
      (await createExport(s, { dataset: 'leads', name: 'b', columns: ['id'] })).json().data.id,
    );
    const swapped = a.download_url!.replace(a.id, b.id).replace('a.csv.gz', 'b.csv.gz');
    expect((await fetchLink(s, swapped)).statusCode).toBe(403);
  });
});

describe('retention', () => {
  it('moves a completed export to expired at expires_at, deletes its files, then answers 410', async () => {
    const clock = new FakeClock(Date.now());
    const s = await server({ clock, retentionSeconds: 3600 });
    const exp = await waitFinal(
      s,
      (await createExport(s, { dataset: 'leads', columns: ['id'] })).json().data.id,
    );
    const link = exp.download_url!;
    clock.advance(3599_000);
    expect((await s.call({ url: `/v1/exports/${exp.id}` })).json().data.status).toBe('completed');
    clock.advance(2_000);
    const after = (await s.call({ url: `/v1/exports/${exp.id}` })).json().data;
    expect(after.status).toBe('expired');
    expect(after.download_url).toBeNull();
    expect(existsSync(join(s.dataDir, 'files', exp.id))).toBe(false);
    const dl = await s.call({ url: `/v1/exports/${exp.id}/download` });
    expect(dl.statusCode).toBe(410);
    expect(dl.json().error.code).toBe('EXPORT_EXPIRED');
    // The old link: still signed, but its export is gone (the link itself was capped at expires_at).
    expect([403, 410]).toContain((await fetchLink(s, link)).statusCode);
  });
});

describe('disk full', () => {
  it('fails the export with DISK_FULL, leaves no partial file, and keeps answering', async () => {
    const s = await server({ exportsTestSeams: { progressMs: 0, failAfterBytes: 1000 } });
    const exp = await waitFinal(
      s,
      (await createExport(s, { dataset: 'leads', compression: 'none' })).json().data.id,
    );
    expect(exp.status).toBe('failed');
    expect(exp.error?.code).toBe('DISK_FULL');
    const dir = join(s.dataDir, 'files', exp.id);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect((await s.call({ url: '/healthz' })).statusCode).toBe(200);
    if (storeKind() === 'sqlite')
      expect(s.engine.ctx.db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
  });
});

describe('crash recovery', () => {
  // Forges rows in the SQLite file of a stopped engine (the PostgreSQL matrix covers recovery
  // through the clean-shutdown test below and the fleet test's SIGKILL).
  it.runIf(storeKind() === 'sqlite')(
    're-runs exports left processing by a dead process, removes .part files, and gives up after 3 attempts',
    async () => {
      const dataDir = tempDir();
      // A first run creates the data dir and the demo dataset, then "crashes" (closes) with rows we forge.
      const first = await makeServer({ dataDir, demoRows: 500 });
      await first.close();
      const db = openDatabase(join(dataDir, 'export-manager.sqlite'));
      const repo = createExportsRepo(sqliteStore(db));
      const now = Date.now();
      const forged = (attempts: number) => {
        const id = newId(now);
        repo.insert(
          exportRow({
            id,
            name: `crashed ${attempts}`,
            request_json: JSON.stringify({ dataset: 'leads', columns: ['id'] }),
            created_at: now,
          }),
        );
        repo.transition(id, 'processing', now, {
          attempts,
          lease_owner: 'dead-process',
          lease_expires_at: now + 60_000,
          started_at: now,
        });
        mkdirSync(join(dataDir, 'files', id), { recursive: true });
        writeFileSync(join(dataDir, 'files', id, 'crashed.csv.gz.part'), 'half a file');
        return id;
      };
      const retried = forged(1);
      const exhausted = forged(3);
      db.close();

      const s = await server({ dataDir, demoRows: 500 });
      const ok = await waitFinal(s, retried);
      expect(ok.status).toBe('completed');
      expect(ok.row_count).toBe(500);
      expect(ok.history.map((h) => h.status)).toEqual([
        'pending',
        'processing',
        'pending',
        'processing',
        'completed',
      ]);
      const gaveUp = await waitFinal(s, exhausted);
      expect(gaveUp.status).toBe('failed');
      expect(gaveUp.error?.code).toBe('INTERRUPTED');
      expect(existsSync(join(dataDir, 'files', exhausted, 'crashed.csv.gz.part'))).toBe(false);
      expect(readdirSync(join(dataDir, 'files', retried)).some((f) => f.endsWith('.part'))).toBe(
        false,
      );
      rmSync(dataDir, { recursive: true, force: true });
    },
  );

  it('a clean shutdown puts running exports back to pending, and the next start finishes them', async () => {
    const dataDir = tempDir();
    const s = await makeServer({ dataDir, demoRows: 20000 });
    const id = (await createExport(s, { dataset: 'leads', compression_level: 9 })).json().data.id;
    await s.close();
    const again = await server({ dataDir, demoRows: 20000 });
    const exp = await waitFinal(again, id);
    expect(exp.status).toBe('completed');
    expect(exp.row_count).toBe(20000);
  });
});
