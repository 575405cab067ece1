import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  closeDatasetConnections,
  datasetConnection,
  releaseDatasetConnection,
} from '../../../electron/engine/exports/dataset-connections.ts';
import { runExport } from '../../../electron/engine/exports/export-pipeline.ts';
import { gzipWhole, parallelGzip } from '../../../electron/engine/exports/parallel-gzip.ts';
import { tempDir } from '../../helpers/context.ts';
import { peopleColumns, peopleInput, writeDataset } from './harness.ts';

// The export worker keeps its connection to a dataset between exports (dataset-connections.ts):
// never at the price of reading a replaced file's old rows, nor of failing on a deleted one.

let dir = '';
afterEach(() => {
  closeDatasetConnections();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

const input = (datasetFile: string, finalPath: string) =>
  peopleInput(datasetFile, finalPath, 'name', { compression: 'gzip' });

const text = (file: string) => gunzipSync(readFileSync(file)).toString();

describe('kept dataset connections', () => {
  it('one connection serves export after export, and a replaced file is read afresh', async () => {
    dir = tempDir();
    const ds = join(dir, 'people.sqlite');
    writeDataset(ds, peopleColumns, 3);
    const first = datasetConnection(ds);
    releaseDatasetConnection(first);
    expect(datasetConnection(ds)).toBe(first);
    releaseDatasetConnection(first);

    expect(await runExport(input(ds, join(dir, 'a.csv.gz')), () => undefined)).toMatchObject({
      type: 'done',
      rows: 3,
    });
    expect(text(join(dir, 'a.csv.gz'))).toMatch(/\r\n3,/);
    expect(text(join(dir, 'a.csv.gz'))).not.toMatch(/\r\n7,/);
    // A new import replaces the file (a new one renamed over it): its rows, not the old ones.
    const next = join(dir, 'next.sqlite');
    writeDataset(next, peopleColumns, 7);
    renameSync(next, ds);
    const again = datasetConnection(ds);
    expect(again).not.toBe(first);
    expect(first.open).toBe(false);
    releaseDatasetConnection(again);
    expect(await runExport(input(ds, join(dir, 'b.csv.gz')), () => undefined)).toMatchObject({
      type: 'done',
      rows: 7,
    });
    expect(text(join(dir, 'b.csv.gz'))).toMatch(/\r\n7,/);
  });

  it('a deleted dataset fails the export with a reason and leaves nothing behind', async () => {
    dir = tempDir();
    const ds = join(dir, 'people.sqlite');
    writeDataset(ds, peopleColumns, 3);
    await runExport(input(ds, join(dir, 'a.csv.gz')), () => undefined);
    rmSync(ds);
    const out = join(dir, 'gone', 'b.csv.gz');
    const result = await runExport(input(ds, out), () => undefined);
    expect(result).toMatchObject({ type: 'error', code: 'INTERNAL' });
    expect(() => readFileSync(out + '.part')).toThrow();
  });

  it('a small export is the same gzip as the block pipeline writes', async () => {
    const block = Buffer.from('id,name\r\n1,"a, b"\r\n2,c\r\n');
    const parts: Buffer[] = [];
    const sink = parallelGzip(6, 3, async (chunk) => void parts.push(Buffer.from(chunk)));
    await sink.push(block);
    await sink.end();
    expect(gzipWhole(block, 6).equals(Buffer.concat(parts))).toBe(true);
  });
});
