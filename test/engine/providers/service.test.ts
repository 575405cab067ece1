import { storeKind } from '../../helpers/test-store.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, redact } from '../../../electron/engine/logger.ts';
import { createKeyFileSecretBox } from '../../../electron/engine/providers/secret-box.ts';
import { newId } from '../../../electron/engine/ids.ts';
import { acmeConfig } from '../../fixtures/vendors/acme-fake.ts';
import { startVendorFake, type VendorFake } from '../../fixtures/vendors/vendor-fake.ts';
import { tempDir } from '../../helpers/context.ts';
import { makeRig, type Rig } from './helpers.ts';

let rig: Rig;
let fake: VendorFake | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
  await rig?.close();
});

const SECRET = 'dd_live_S3cr3t-credential-0123456789';

describe('providers: CRUD and write-only credentials', () => {
  it('creates, lists, reads, updates and deletes; the credential is never returned', () => {
    rig = makeRig();
    const p = rig.providers.create({
      name: 'DataDriver prod',
      type: 'datadriver',
      base_url: 'https://api.trydatadriver.com/',
      credential: SECRET,
    });
    expect(p).toMatchObject({
      name: 'DataDriver prod',
      type: 'datadriver',
      base_url: 'https://api.trydatadriver.com',
      options: {},
      has_credential: true,
      max_concurrent_exports: 2,
      requests_per_second: 5,
    });
    expect(JSON.stringify(p)).not.toContain(SECRET);
    expect(rig.providers.list().map((x) => x.id)).toEqual([p.id]);
    const updated = rig.providers.update(p.id, { name: 'DD', requests_per_second: 1 });
    expect(updated).toMatchObject({ name: 'DD', requests_per_second: 1, has_credential: true });
    expect(JSON.stringify(rig.providers.list())).not.toContain(SECRET);
    rig.providers.delete(p.id);
    expect(() => rig.providers.get(p.id)).toThrow(/No provider/);
  });

  it('the credential is sealed in the database: not in clear text in the file nor its WAL', () => {
    rig = makeRig();
    const p = rig.providers.create({
      name: 'x',
      type: 'hookbridge',
      base_url: 'https://api.hookbridge.io',
      credential: SECRET,
    });
    rig.providers.update(p.id, { credential: SECRET + '-rotated' });
    // SQLite's file and WAL are in the data folder; PostgreSQL's rows are read below.
    const dir = rig.ctx.paths.dataDir;
    const dbFiles = readdirSync(dir).filter((f) => f.startsWith('export-manager.sqlite'));
    expect(dbFiles.length > 0).toBe(storeKind() === 'sqlite');
    for (const f of dbFiles) expect(readFileSync(join(dir, f)).includes(SECRET)).toBe(false);
    const everything = JSON.stringify(rig.ctx.db.prepare('SELECT * FROM providers').all());
    expect(everything).not.toContain(SECRET);
    const sealed = rig.ctx.db
      .prepare('SELECT credential_sealed, credential_kind FROM providers')
      .get() as {
      credential_sealed: string;
      credential_kind: string;
    };
    expect(sealed.credential_kind).toBe('keyfile');
    expect(sealed.credential_sealed).toMatch(/^v1:/);
  });

  it('the key file is created on first use, mode 0600, with one warning, and unseals across restarts', () => {
    const dir = tempDir();
    const lines: string[] = [];
    const logger = createLogger('info', (l) => lines.push(l));
    const box = createKeyFileSecretBox(dir, logger);
    expect(readdirSync(dir)).toEqual([]);
    const sealed = box.encrypt(SECRET);
    box.encrypt('another');
    expect(statSync(join(dir, 'credentials.key')).mode & 0o777).toBe(0o600);
    expect(lines.filter((l) => l.includes('WARN'))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(createKeyFileSecretBox(dir, logger).decrypt(sealed)).toBe(SECRET);
    // Another key cannot open it, and tampering is detected.
    expect(() => createKeyFileSecretBox(tempDir(), logger).decrypt(sealed)).toThrow();
    expect(() => box.decrypt(sealed.slice(0, -4) + 'AAAA')).toThrow();
  });

  it('a credential sealed by another key fails the export with PROVIDER_UNAUTHORIZED, saying why', async () => {
    rig = makeRig();
    const id = rig.addProvider({
      name: 'DD',
      type: 'datadriver',
      base_url: 'http://127.0.0.1:9',
      credential: SECRET,
    });
    writeFileSync(
      join(rig.ctx.paths.dataDir, 'credentials.key'),
      Buffer.alloc(32, 7).toString('base64'),
    );
    const other = makeRig();
    try {
      // A fresh service (as after a restart) reading the row with the wrong key file.
      rig.ctx.db
        .prepare('UPDATE providers SET credential_sealed = ?')
        .run(createKeyFileSecretBox(other.ctx.paths.dataDir, other.ctx.logger).encrypt(SECRET));
      const res = await rig.run(id);
      expect(res.error?.code).toBe('PROVIDER_UNAUTHORIZED');
      expect(res.error?.message).toMatch(/cannot be unsealed here.*Enter it again/);
    } finally {
      await other.close();
    }
  });
});

describe('providers: validation', () => {
  it.each([
    [{ type: 'dynamic', options: {} }, /environment_id/],
    [{ type: 'dynamic', options: { environment_id: 'not-a-uuid' } }, /environment_id/],
    [{ type: 'generic', options: {} }, /options.config/],
    [{ type: 'generic', options: { config: { create: {} } } }, /options.config/],
    [{ type: 'datadriver', base_url: 'ftp://x' }, /http or https/],
    [{ type: 'datadriver', base_url: 'https://user:pw@x.test' }, /user or password/],
    [{ type: 'datadriver', base_url: 'https://x.test/?key=1' }, /query string/],
    [{ type: 'datadriver', base_url: 'not a url' }, /not a URL/],
    [{ type: 'nope' }, /Unknown provider type/],
  ])('refuses %j', (patch, message) => {
    rig = makeRig();
    expect(() =>
      rig.providers.create({ name: 'p', base_url: 'https://x.test', ...patch } as never),
    ).toThrow(message);
  });

  it('accepts a Dynamic environment and a generic config; changing the type re-validates options', () => {
    rig = makeRig();
    const d = rig.providers.create({
      name: 'd',
      type: 'dynamic',
      base_url: 'https://app.dynamicauth.com',
      options: { environment_id: '95b11417-f18f-457f-8804-68e361f9164f' },
    });
    expect(d.options).toEqual({ environment_id: '95b11417-f18f-457f-8804-68e361f9164f' });
    expect(() => rig.providers.update(d.id, { type: 'generic' })).toThrow(/options.config/);
    const g = rig.providers.update(d.id, { type: 'generic', options: { config: acmeConfig } });
    expect(g.type).toBe('generic');
  });

  it('a provider with running exports cannot be deleted', () => {
    rig = makeRig();
    const id = rig.addProvider({ name: 'p', type: 'datadriver', base_url: 'https://x.test' });
    rig.insertExport(newId(), id);
    expect(() => rig.providers.delete(id)).toThrow(/still pending or running/);
  });
});

describe('providers: connection test', () => {
  it('ok with the right key; refused with a wrong one; unreachable says so', async () => {
    rig = makeRig();
    fake = await startVendorFake({ vendor: 'dynamic', clock: rig.ctx.clock });
    const options = { environment_id: fake.environmentId };
    const good = rig.addProvider({
      name: 'g',
      type: 'dynamic',
      base_url: fake.url,
      credential: fake.token,
      options,
    });
    const bad = rig.addProvider({
      name: 'b',
      type: 'dynamic',
      base_url: fake.url,
      credential: 'wrong',
      options,
    });
    const down = rig.addProvider({
      name: 'd',
      type: 'dynamic',
      base_url: 'http://127.0.0.1:9',
      credential: 'x',
      options,
    });
    expect(await rig.providers.test(good)).toMatchObject({ ok: true, status: 404 });
    expect(await rig.providers.test(bad)).toMatchObject({
      ok: false,
      status: 401,
      message: 'Dynamic refused the credential: Invalid or missing API key',
    });
    const r = await rig.providers.test(down);
    expect(r).toMatchObject({
      ok: false,
      status: null,
      message: expect.stringMatching(/refused the connection/),
    });
    expect(typeof r.latency_ms).toBe('number');
  });
});

describe('logs never carry secrets', () => {
  it('redacts presigned query strings, URL passwords and bearer tokens', () => {
    const cases = [
      'https://b.s3.amazonaws.com/k.csv.gz?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F20260101&X-Amz-Signature=abcdef0123',
      'https://storage.googleapis.com/b/o?X-Goog-Signature=deadbeef&X-Goog-Credential=svc',
      'https://xxx.supabase.co/storage/v1/object/sign/api-exports/e.csv.gz?token=eyJhbGciOi.x.y',
      'https://d1.cloudfront.net/f?Policy=eyJTdGF0&Signature=Zm9v&Key-Pair-Id=K2JCJMDEHXQW5F',
      'http://127.0.0.1:8787/files/x/y.csv.gz?expires=1&signature=0a1b2c',
      'https://user:hunter2@vendor.test/v1',
      'Authorization: Bearer dd_a3f9b2c1d4e5f6g7h8i9j0',
    ];
    const out = cases.map(redact).join('\n');
    for (const secret of [
      'AKIA',
      'abcdef0123',
      'deadbeef',
      'eyJhbGciOi',
      'Zm9v',
      'K2JCJMDEHXQW5F',
      '0a1b2c',
      'hunter2',
      'dd_a3f9',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain(
      'https://xxx.supabase.co/storage/v1/object/sign/api-exports/e.csv.gz?token=[redacted]',
    );
  });

  it('a whole provider export, retries and refreshes included, logs no token, link signature or key', async () => {
    rig = makeRig();
    fake = await startVendorFake({
      vendor: 'datadriver',
      clock: rig.ctx.clock,
      scenario: 'link-expires-mid-download',
      token: SECRET,
      rows: 2000,
    });
    const id = rig.addProvider({
      name: 'DD',
      type: 'datadriver',
      base_url: fake.url,
      credential: SECRET,
    });
    const res = await rig.run(id);
    expect(res.error).toBeUndefined();
    const log = rig.logs.join('\n');
    expect(log).toContain('refreshing the vendor links');
    expect(log).not.toContain(SECRET);
    const tokens = fake.state.requests
      .filter((r) => r.host === 'storage')
      .map((r) => new URL(r.path, 'http://x').searchParams.get('token')!);
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) expect(log).not.toContain(t);
    expect(log).toContain('/objects/');
  });
});
