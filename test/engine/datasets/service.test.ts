import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../shared/errors.ts';
import { createDatasetsService } from '../../../electron/engine/datasets/datasets-service.ts';
import { createDatasetsRepo } from '../../../electron/engine/datasets/datasets-repo.ts';
import { harness, importText, rowsOf, settled, type Harness } from './helpers.ts';

let h: Harness;
afterEach(() => h.cleanup());

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

/** Waits for a condition the worker side brings about (bounded, not a sleep). */
async function until(cond: () => boolean): Promise<void> {
  await vi.waitFor(() => expect(cond()).toBe(true), { timeout: 5_000, interval: 10 });
}

/** A CSV large enough that its import is still running when the test acts. */
function bigCsv(x: Harness): string {
  const line = '12345,some text that is long enough,2024-01-01T00:00:00Z\n';
  return x.file('big.csv', 'n,s,t\n' + line.repeat(200_000));
}

describe('create', () => {
  it('returns the dataset at once, importing, and it becomes ready', async () => {
    h = harness();
    const path = h.file('a.csv', 'x\n1\n');
    const d = h.svc.create({ name: 'a', path });
    expect(d).toMatchObject({ name: 'a', status: 'importing', progress_pct: 0, source: path });
    expect((await settled(h, 'a')).status).toBe('ready');
    expect(h.svc.get('a').row_count).toBe(1);
    expect(h.svc.list().map((x) => x.name)).toEqual(['a']);
  });

  it('refuses bad requests with INVALID_REQUEST or CONFLICT, creating nothing', async () => {
    h = harness();
    const path = h.file('a.csv', 'x\n1\n');
    mkdirSync(join(h.ctx.paths.dataDir, 'dir'));
    const cases: [Parameters<typeof h.svc.create>[0], string, RegExp][] = [
      [{ name: '1abc', path }, 'INVALID_REQUEST', /invalid dataset name/],
      [{ name: 'a/b', path }, 'INVALID_REQUEST', /invalid dataset name/],
      [{ name: 'a', path: 'a.csv' }, 'INVALID_REQUEST', /path must be absolute/],
      [{ name: 'a', path: join(h.ctx.paths.dataDir, 'nope.csv') }, 'INVALID_REQUEST', /no file at/],
      [{ name: 'a', path: join(h.ctx.paths.dataDir, 'dir') }, 'INVALID_REQUEST', /is not a file/],
      [{ name: 'a' }, 'INVALID_REQUEST', /either "path" or "export_id"/],
      [{ name: 'a', path, export_id: 'x' }, 'INVALID_REQUEST', /either "path" or "export_id"/],
      [{ name: 'a', export_id: 'x' }, 'INVALID_REQUEST', /not available/],
    ];
    for (const [req, code, message] of cases) {
      const err = apiError(() => h.svc.create(req));
      expect(err.code, JSON.stringify(req)).toBe(code);
      expect(err.message).toMatch(message);
    }
    expect(h.svc.list()).toEqual([]);

    h.svc.create({ name: 'taken', path });
    expect(apiError(() => h.svc.create({ name: 'taken', path })).code).toBe('CONFLICT');
    // Dataset files are named after datasets: names differing in case only would collide.
    expect(apiError(() => h.svc.create({ name: 'TAKEN', path })).code).toBe('CONFLICT');
    await settled(h, 'taken');
  });

  it('lets the name of a failed import be used again', async () => {
    h = harness();
    expect((await importText(h, 'retry', 'a,b\n1\n')).status).toBe('failed');
    expect((await importText(h, 'retry', 'a,b\n1,2\n')).status).toBe('ready');
  });

  it('imports a completed export through resolveExportFile', async () => {
    const exportId = '0193a7a0-0000-7000-8000-000000000001';
    let file = '';
    h = harness({
      resolveExportFile: (id) => {
        if (id !== exportId) throw new ApiError('NOT_FOUND', `export "${id}" not found`);
        return { path: file, format: 'csv', compression: 'gzip' };
      },
    });
    file = h.file('export.csv.gz', gzipSync('id,state\n1,TX\n2,CA\n'));
    const d = h.svc.create({ name: 'fromexport', export_id: exportId });
    expect(d.source).toBe(`export:${exportId}`);
    expect((await settled(h, 'fromexport')).row_count).toBe(2);
    expect(rowsOf(h, 'fromexport')).toEqual([
      { id: 1, state: 'TX' },
      { id: 2, state: 'CA' },
    ]);
    const err = apiError(() => h.svc.create({ name: 'other', export_id: 'nope' }));
    expect(err.code).toBe('INVALID_REQUEST');
    expect(err.message).toMatch(/unknown export "nope"/);
  });
});

describe('get, describe, delete', () => {
  it('get of an unknown dataset is NOT_FOUND; describe is INVALID_REQUEST', async () => {
    h = harness();
    expect(apiError(() => h.svc.get('ghost')).code).toBe('NOT_FOUND');
    const err = apiError(() => h.svc.describe('ghost'));
    expect(err.code).toBe('INVALID_REQUEST');
    expect(err.message).toBe('unknown dataset "ghost"');
    h.svc.create({ name: 'slow', path: bigCsv(h) });
    expect(apiError(() => h.svc.describe('slow')).message).toMatch(/not ready/);
    await settled(h, 'slow');
    expect(h.svc.describe('slow')).toMatchObject({
      file: join(h.ctx.paths.datasetsDir, 'slow.sqlite'),
      timeColumn: 't',
      rowCount: 200_000,
    });
  });

  it('delete removes the record and the file and says so on the bus', async () => {
    h = harness();
    await importText(h, 'gone', 'a\n1\n');
    const file = h.svc.describe('gone').file;
    expect(existsSync(file)).toBe(true);
    const deleted: string[] = [];
    h.ctx.events.on('dataset.deleted', (e) => deleted.push(e.name));
    h.svc.delete('gone');
    expect(existsSync(file)).toBe(false);
    expect(deleted).toEqual(['gone']);
    expect(apiError(() => h.svc.get('gone')).code).toBe('NOT_FOUND');
    expect(apiError(() => h.svc.delete('gone')).code).toBe('NOT_FOUND');
  });

  it('delete during an import cancels it and leaves no file anywhere', async () => {
    h = harness({ chunkBytes: 16 * 1024 });
    h.svc.create({ name: 'busy', path: bigCsv(h) });
    // Let it get going: the first progress report comes from the worker.
    await new Promise<void>((resolve) => {
      const off = h.ctx.events.on('dataset.updated', (d) => {
        if (d.name === 'busy' && d.progress_pct > 0) {
          off();
          resolve();
        }
      });
    });
    h.svc.delete('busy');
    expect(h.svc.list()).toEqual([]);
    await until(() => readdirSync(h.ctx.paths.tmpDir).length === 0);
    expect(readdirSync(h.ctx.paths.datasetsDir)).toEqual([]);
    // The name is free again at once.
    expect((await importText(h, 'busy', 'a\n1\n')).status).toBe('ready');
  });
});

describe('crash and shutdown', () => {
  it('recover() fails imports left importing with INTERRUPTED and removes their files', async () => {
    h = harness();
    await importText(h, 'kept', 'a\n1\n');
    // What a crash leaves: a record still importing, its scratch file, maybe a renamed file,
    // and a file whose record was deleted.
    const repo = createDatasetsRepo(h.ctx.db);
    const now = h.ctx.clock.now();
    repo.insert({
      name: 'crashed',
      status: 'importing',
      columns: [],
      timeColumn: null,
      rowCount: 12,
      progressPct: 40,
      bytesDone: 400,
      bytesTotal: 1000,
      source: '/x.csv',
      error: null,
      createdAt: now,
      updatedAt: now,
    });
    const { tmpDir, datasetsDir } = h.ctx.paths;
    writeFileSync(join(tmpDir, 'crashed.0193a7a0-0000-7000-8000-000000000002.sqlite.part'), 'x');
    writeFileSync(join(datasetsDir, 'crashed.sqlite'), 'x');
    writeFileSync(join(datasetsDir, 'orphan.sqlite'), 'x');
    writeFileSync(join(tmpDir, 'someone-elses.csv.gz.part'), 'x');

    h.ctx.clock.advance(60_000);
    const fresh = createDatasetsService(h.ctx);
    const events: string[] = [];
    h.ctx.events.on('dataset.updated', (d) => events.push(`${d.name}:${d.status}`));
    fresh.recover();
    expect(fresh.get('crashed')).toMatchObject({
      status: 'failed',
      error: { code: 'INTERRUPTED' },
      updated_at: new Date(now + 60_000).toISOString(),
    });
    expect(events).toEqual(['crashed:failed']);
    expect(readdirSync(tmpDir)).toEqual(['someone-elses.csv.gz.part']);
    expect(readdirSync(datasetsDir)).toEqual(['kept.sqlite']);
    expect(fresh.get('kept').status).toBe('ready');
    await fresh.close();
  });

  it('close() stops running imports: they fail INTERRUPTED and leave no scratch file', async () => {
    h = harness({ chunkBytes: 16 * 1024 });
    h.svc.create({ name: 'stopped', path: bigCsv(h) });
    await h.svc.close();
    expect(h.svc.get('stopped')).toMatchObject({
      status: 'failed',
      error: { code: 'INTERRUPTED' },
    });
    expect(readdirSync(h.ctx.paths.tmpDir)).toEqual([]);
    expect(readdirSync(h.ctx.paths.datasetsDir)).toEqual([]);
    expect(apiError(() => h.svc.create({ name: 'late', path: bigCsv(h) })).code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });
});
