// kill -9 inside the windows that used to need manual repair or leave debris, made deterministic by
// EXPORT_MANAGER_CRASH_AT (the process SIGKILLs itself at that point), then a plain restart.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/context.ts';
import { recordFigures } from './figures.ts';
import { ended, runCli, startServe, type ServeProcess } from './serve-process.ts';

const dirs: string[] = [];
const procs: ServeProcess[] = [];
const dir = () => {
  const d = tempDir('em-rel-window-');
  dirs.push(d);
  return d;
};
const crashEnv = (point: string) => ({ ...process.env, EXPORT_MANAGER_CRASH_AT: point });
const serve = async (d: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env) => {
  const p = await startServe(d, ['--demo-rows', '0', ...args], 0, env);
  procs.push(p);
  return p;
};
const figures: Record<string, unknown> = {};

afterAll(async () => {
  for (const p of procs) await p.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  recordFigures('crash-windows', figures);
});

interface Exp {
  id: string;
  status: string;
}

async function waitFor(p: ServeProcess, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await p.api<{ data: Exp }>('GET', `/v1/exports/${id}`);
    if (r.json.data.status === status) return;
    if (Date.now() > deadline) throw new Error(`export ${id} is ${r.json.data.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const createExport = (p: ServeProcess, body: Record<string, unknown> = {}) =>
  p
    .api<{ data: Exp }>('POST', '/v1/exports', {
      dataset: 'leads',
      name: 'Leads',
      format: 'csv',
      compression: 'none',
      ...body,
    })
    .catch(() => null); // the process may kill itself before it answers

describe('key files', () => {
  it('kill -9 while api-key is written leaves no stub: the next start writes a whole key', async () => {
    const d = dir();
    const crashed = await runCli(
      ['serve', '--port', '0', '--data-dir', d, '--demo-rows', '0'],
      crashEnv('api-key:beside-written'),
      15_000,
    );
    expect(crashed.signal, crashed.output).toBe('SIGKILL');
    expect(existsSync(join(d, 'api-key'))).toBe(false);
    const p = await serve(d);
    expect(p.key).toMatch(/^em_.{20,}/);
    expect((await p.api('GET', '/v1/settings')).status).toBe(200);
    expect(readdirSync(d).filter((f) => f.endsWith('.writing'))).toEqual([]);
    await p.stop();
  });

  it('an empty api-key (what older versions left) is replaced by a working key', async () => {
    const d = dir();
    writeFileSync(join(d, 'api-key'), '', { mode: 0o600 });
    const p = await serve(d);
    expect((await p.api('GET', '/v1/settings')).status).toBe(200);
    await p.stop();
  });

  const provider = (p: ServeProcess) =>
    p
      .api('POST', '/v1/providers', {
        name: 'Vendor',
        type: 'datadriver',
        base_url: 'http://127.0.0.1:9',
        credential: 'secret-credential',
      })
      .catch(() => null);

  it('kill -9 while credentials.key is created leaves no stub; an empty one is recovered', async () => {
    const d = dir();
    const p = await serve(d, [], crashEnv('credentials-key:beside-written'));
    await provider(p);
    expect(await ended(p)).toBe('SIGKILL');
    expect(existsSync(join(d, 'credentials.key'))).toBe(false);
    const again = await serve(d);
    expect((await provider(again))?.status).toBe(201);
    expect(Buffer.from(readFileSync(join(d, 'credentials.key'), 'utf8'), 'base64')).toHaveLength(
      32,
    );
    expect(readdirSync(d).filter((f) => f.endsWith('.writing'))).toEqual([]);
    await again.stop();

    const d2 = dir();
    writeFileSync(join(d2, 'credentials.key'), '', { mode: 0o600 });
    const third = await serve(d2);
    expect((await provider(third))?.status).toBe(201);
    expect(readdirSync(d2).some((f) => f.startsWith('credentials.key.damaged-'))).toBe(true);
    await third.stop();
  });
});

describe('debris after kill -9', () => {
  it('the retention sweep killed between its commit and the removal: the files go at the next start', async () => {
    const d = dir();
    const p = await serve(
      d,
      ['--demo-rows', '200', '--retention', '1'],
      crashEnv('retention:expired-committed'),
    );
    const created = await createExport(p);
    expect(await ended(p)).toBe('SIGKILL');
    const id = created!.json.data.id;
    expect(readdirSync(join(d, 'files', id)).length).toBeGreaterThan(0);
    const again = await serve(d, ['--retention', '1']);
    expect(existsSync(join(d, 'files', id))).toBe(false);
    expect((await again.api<{ data: Exp }>('GET', `/v1/exports/${id}`)).json.data.status).toBe(
      'expired',
    );
    await again.stop();
  });

  for (const point of ['destination:part-written', 'destination:linked'] as const) {
    it(`a destination copy killed at ${point}: one visible copy and no hidden part after the restart`, async () => {
      const d = dir();
      const dest = dir();
      const p = await serve(d, ['--demo-rows', '200'], crashEnv(point));
      const created = await createExport(p, { destination: { dir: dest } });
      expect(await ended(p)).toBe('SIGKILL');
      const left = readdirSync(dest);
      expect(left.some((f) => f.startsWith('.') && f.endsWith('.part'))).toBe(true);
      const again = await serve(d);
      await waitFor(again, created!.json.data.id, 'completed');
      expect(readdirSync(dest)).toEqual(['leads.csv']);
      figures[`${point} left before restart`] = left.length;
      await again.stop();
    });
  }

  it('a killed import leaves no .sqlite.part or its journal after the restart', async () => {
    const d = dir();
    const csv = join(dir(), 'sales.csv');
    writeFileSync(
      csv,
      'id,amount\n' + Array.from({ length: 5000 }, (_, i) => `${i},${i * 3}`).join('\n') + '\n',
    );
    const p = await serve(d, [], crashEnv('import:part-written'));
    await p.api('POST', '/v1/datasets', { name: 'sales', path: csv }).catch(() => null);
    expect(await ended(p)).toBe('SIGKILL');
    const left = readdirSync(join(d, 'tmp')).filter((f) => f.includes('.sqlite.part'));
    expect(left.length, 'the crash left its part').toBeGreaterThan(0);
    figures['import parts left before restart'] = left;
    const again = await serve(d);
    expect(readdirSync(join(d, 'tmp')).filter((f) => f.includes('.sqlite.part'))).toEqual([]);
    await again.stop();
  });
});
