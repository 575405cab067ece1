import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { tempDir } from '../../helpers/context.ts';
import { plainPartPath } from '../../../electron/engine/storage/plain-parts.ts';
import { newId } from '../../../electron/engine/ids.ts';
import { startVendorFake, type VendorFake } from '../../fixtures/vendors/vendor-fake.ts';
import { makeRig, type Rig } from './helpers.ts';

let rig: Rig;
let fake: VendorFake;
afterEach(async () => {
  await fake?.stop();
  await rig?.close();
});

async function setup(pollsUntilDone = 2) {
  rig = makeRig();
  fake = await startVendorFake({ vendor: 'datadriver', clock: rig.ctx.clock, pollsUntilDone });
  return rig.addProvider({
    name: 'DataDriver',
    type: 'datadriver',
    base_url: fake.url,
    credential: fake.token,
  });
}

/** A create that reached the vendor, whose answer never came back (the app died meanwhile). */
async function lostCreate(key: string): Promise<string> {
  const res = await fetch(`${fake.url}/v1/exports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.token}`, 'idempotency-key': key },
    body: JSON.stringify({ filter: { state: 'TX' } }),
  });
  return ((await res.json()) as { export_id: string }).export_id;
}

describe('no duplicate exports at the vendor', () => {
  it('a crash between the create request and its answer: the retry re-sends the same key and gets the same export', async () => {
    const id = await setup();
    const exportId = newId(rig.ctx.clock.now());
    rig.insertExport(exportId, id, { filter: { state: 'TX' } });
    const now = rig.ctx.clock.now();
    rig.providers.repo.addIntent({
      export_id: exportId,
      provider_id: id,
      idempotency_key: exportId,
      request_json: JSON.stringify({ filter: { state: 'TX' } }),
      remote_id: null,
      remote_status: null,
      recreated_from: null,
      created_at: now,
      updated_at: now,
    });
    const remoteId = await lostCreate(exportId);

    const res = await rig.run(id, { filter: { state: 'TX' } }, { exportId });
    expect(res.error, res.error?.message).toBeUndefined();
    expect(fake.state.creates).toBe(1);
    expect(fake.state.createRequests).toBe(2);
    expect(rig.providers.repo.remotes(exportId).map((r) => r.remote_id)).toEqual([remoteId]);
    expect(res.recorded.every(([r]) => r === remoteId)).toBe(true);
  });

  it('spec.remoteId set by an earlier attempt: never creates again, polls that export', async () => {
    const id = await setup();
    const remoteId = await lostCreate('someone-else');
    const res = await rig.run(id, {}, { remoteId });
    expect(res.error, res.error?.message).toBeUndefined();
    expect(fake.state.createRequests).toBe(1);
    expect(fake.state.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a second run of the same export (after a crash mid-download) polls the recorded export', async () => {
    const id = await setup();
    const exportId = newId(rig.ctx.clock.now());
    const first = await rig.run(id, {}, { exportId });
    expect(first.error).toBeUndefined();
    const again = await rig.run(id, {}, { exportId });
    expect(again.error, again.error?.message).toBeUndefined();
    expect(fake.state.creates).toBe(1);
    expect(readdirSync(again.exportDir)).toEqual(again.files!.map((f) => f.filename));
  });

  it('cancel: the run stops at its next wait, creating nothing more and leaving no file', async () => {
    const id = await setup(1_000_000);
    const abort = new AbortController();
    let polls = 0;
    const res = await rig.run(
      id,
      {},
      {
        signal: abort.signal,
        onProgress: (p) => {
          if (p.remoteStatus && ++polls === 3) abort.abort(new Error('canceled by the user'));
        },
      },
    );
    expect(res.error?.message).toBe('canceled by the user');
    expect(fake.state.creates).toBe(1);
    expect(readdirSync(res.exportDir)).toEqual([]);
  });
});

describe('a crash while a vendor file was being decompressed into the destination', () => {
  it('the next attempt removes the hidden part the crash left, and leaves other files alone', async () => {
    const id = await setup();
    const dest = tempDir('em-plain-');
    try {
      const exportId = newId(rig.ctx.clock.now());
      // What a crash mid-verify leaves: the hidden part of this export, and one of another export.
      const stale = plainPartPath(dest, 'leads.csv.gz', exportId);
      const other = plainPartPath(dest, 'leads.csv.gz', newId(rig.ctx.clock.now() + 1));
      writeFileSync(stale, 'half a file');
      writeFileSync(other, 'not ours');
      writeFileSync(`${dest}/notes.txt`, 'the user keeps this');
      const res = await rig.run(id, {}, { exportId, plainCopyDir: dest });
      expect(res.error, res.error?.message).toBeUndefined();
      const names = readdirSync(dest);
      expect(names).not.toContain(basename(stale));
      expect(names).toContain(basename(other));
      expect(names).toContain('notes.txt');
      // What remains of this export is exactly this attempt's copy, made while verifying.
      const ours = names.filter((n) => n.endsWith('.plain.part') && n !== basename(other));
      expect(ours).toEqual((res.files ?? []).map((f) => basename(f.plainCopy!)));
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });
});
