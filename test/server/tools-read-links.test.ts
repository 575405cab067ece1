// Real tools read our links as they read a vendor's: a link whose path ends in the file's own name
// lets wget and curl -O save that name and pandas infer gzip, against the real `serve` process.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/context.ts';
import { startServe, type ServeProcess } from '../reliability/serve-process.ts';

interface Exp {
  status: string;
  row_count: number;
  download_url: string;
  files: { filename: string; sha256: string }[];
}

const has = (cmd: string, args: string[]) => spawnSync(cmd, args).status === 0;
const pandas = has('/usr/bin/python3', ['-c', 'import pandas']);
const wget = has('wget', ['--version']);
const curl = has('curl', ['--version']);
const missing = [!wget && 'wget', !curl && 'curl', !pandas && 'python3-pandas'].filter(Boolean);
if (missing.length > 0) {
  console.warn(`tools-read-links: skipping the ${missing.join(', ')} tests (not installed)`);
}

let serve: ServeProcess;
let dataDir = '';
let exp: Exp;

beforeAll(async () => {
  dataDir = tempDir();
  serve = await startServe(dataDir, ['--demo-rows', '3000']);
  const created = await serve.api<{ data: { id: string } }>('POST', '/v1/exports', {
    dataset: 'leads',
    name: 'texas leads',
    filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
  });
  expect(created.status).toBe(202);
  const id = created.json.data.id;
  exp = await vi.waitFor(
    async () => {
      const r = (await serve.api<{ data: Exp }>('GET', `/v1/exports/${id}`)).json.data;
      if (r.status !== 'completed') throw new Error(`still ${r.status}`);
      return r;
    },
    { timeout: 20_000, interval: 50 },
  );
});

afterAll(async () => {
  await serve.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('download links as tools see them', () => {
  it("end in the file's own name, with no query string", () => {
    const u = new URL(exp.download_url);
    expect(u.search).toBe('');
    expect(u.pathname.endsWith('/texas-leads.csv.gz')).toBe(true);
    expect(exp.files[0]!.filename).toBe('texas-leads.csv.gz');
  });

  it.skipIf(!wget)('wget saves the file under its own name', () => {
    const dir = tempDir();
    const r = spawnSync('wget', ['-q', exp.download_url], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['texas-leads.csv.gz']);
    expect(sha256(join(dir, 'texas-leads.csv.gz'))).toBe(exp.files[0]!.sha256);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!curl)('curl -O saves the file under its own name', () => {
    const dir = tempDir();
    const r = spawnSync('curl', ['-sSfO', exp.download_url], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['texas-leads.csv.gz']);
    expect(sha256(join(dir, 'texas-leads.csv.gz'))).toBe(exp.files[0]!.sha256);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!pandas)('pandas.read_csv(download_url) infers gzip and reads every row', () => {
    const script = [
      'import sys, pandas as pd',
      'df = pd.read_csv(sys.argv[1])',
      'print(len(df), sorted(set(df["state"])))',
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', script, exp.download_url], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`${exp.row_count} ['TX']`);
  });
});
