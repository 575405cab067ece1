// POST /v1/exports/{id}/save: the UI's "Save as" — a copy in the user's folder, never overwriting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { createExport, waitFinal } from '../helpers/exports.ts';
import { tempDir } from '../helpers/context.ts';

let s: TestServer;
beforeEach(async () => {
  s = await makeServer({ demoRows: 500, exportsTestSeams: { progressMs: 0 } });
});
afterEach(async () => s.close());

async function completed(name: string) {
  const res = await createExport(s, { dataset: 'leads', name });
  return waitFinal(s, res.json().data.id);
}

const save = (id: string, payload: Record<string, unknown>) =>
  s.call({ method: 'POST', url: `/v1/exports/${id}/save`, payload });

describe('saving a copy of an export', () => {
  it('saves decompressed or as stored, and a second save never overwrites the first', async () => {
    const exp = await completed('weekly leads');
    const dir = tempDir();
    const plain = await save(exp.id, { dir, decompress: true });
    expect(plain.statusCode, plain.body).toBe(200);
    const plainPath = plain.json().data.path as string;
    expect(plainPath).toBe(join(dir, 'weekly-leads.csv'));
    const text = readFileSync(plainPath, 'utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(501);

    const again = await save(exp.id, { dir, decompress: true });
    expect(again.json().data.path).toBe(join(dir, 'weekly-leads (2).csv'));
    expect(readFileSync(plainPath, 'utf8')).toBe(text);

    const gz = await save(exp.id, { dir, filename: 'mine.csv.gz' });
    expect(gz.json().data.path).toBe(join(dir, 'mine.csv.gz'));
    expect(gunzipSync(readFileSync(join(dir, 'mine.csv.gz'))).toString('utf8')).toBe(text);
  });

  it('answers like a download for exports without a file, and refuses relative folders', async () => {
    const exp = await completed('one');
    const relative = await save(exp.id, { dir: 'exports/here' });
    expect(relative.statusCode).toBe(400);
    expect(relative.json().error.message).toMatch(/absolute/);
    const missing = await save('0193a000-0000-7000-8000-000000000000', { dir: tempDir() });
    expect(missing.statusCode).toBe(404);
    const notDir = tempDir();
    writeFileSync(join(notDir, 'file'), 'x');
    const blocked = await save(exp.id, { dir: join(notDir, 'file') });
    expect(blocked.statusCode).toBe(400);
    expect(blocked.json().error.code).toBe('INVALID_REQUEST');
  });
});
