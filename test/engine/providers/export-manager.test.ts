import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { silentLogger } from '../../../electron/engine/logger.ts';
import { startServer, type RunningServer } from '../../../electron/server/serve.ts';
import type { Export } from '../../../shared/schemas/exports.ts';
import { tempDir } from '../../helpers/context.ts';
import { makeRig, type Rig } from './helpers.ts';

const KEY = 'em_other_instance_key_0123456789';
let other: RunningServer;
let otherDir: string;
let rig: Rig;

beforeEach(async () => {
  otherDir = tempDir('em-other-');
  other = await startServer({
    dataDir: otherDir,
    port: 0,
    staticDir: null,
    demoRows: 500,
    envKey: KEY,
    logger: silentLogger,
  });
  rig = makeRig({ realClock: true, runner: { pollMinMs: 20, pollMaxMs: 50 } });
});
afterEach(async () => {
  await rig.close();
  await other.close();
  rmSync(otherDir, { recursive: true, force: true });
});

describe('export-manager adapter, against a real second instance of our API', () => {
  it('creates the export there, polls it, and fetches its file through the 302 download route', async () => {
    const id = rig.addProvider({
      name: 'Office instance',
      type: 'export-manager',
      base_url: other.url,
      credential: KEY,
    });
    expect(await rig.providers.test(id)).toMatchObject({ ok: true, status: 200 });
    const res = await rig.run(id, {
      dataset: 'leads',
      filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
    });
    expect(res.error, res.error?.message).toBeUndefined();
    const remote = (
      (await (
        await fetch(`${other.url}/v1/exports?limit=1`, {
          headers: { authorization: `Bearer ${KEY}` },
        })
      ).json()) as { data: Export[] }
    ).data[0]!;
    expect(remote.status).toBe('completed');
    const [file] = res.files!;
    // Same bytes as the other instance stored (its sha256 was checked during the download too).
    expect(file!.sha256).toBe(remote.files[0]!.sha256);
    expect(file!.rowCount).toBe(remote.row_count);
    const bytes = readFileSync(join(res.exportDir, file!.filename));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(remote.files[0]!.sha256);
    expect(file!.filename).toBe(remote.files[0]!.filename);
  });

  it('a wrong key fails fast with PROVIDER_UNAUTHORIZED', async () => {
    const id = rig.addProvider({
      name: 'Office instance',
      type: 'export-manager',
      base_url: other.url,
      credential: 'wrong',
    });
    const res = await rig.run(id, { dataset: 'leads' });
    expect(res.error?.code).toBe('PROVIDER_UNAUTHORIZED');
    expect(res.error?.details).toMatchObject({ http_status: 401, vendor_code: 'UNAUTHORIZED' });
  });
});
