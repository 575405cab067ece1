import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { JobHooks, JobProgress, JobSpec } from '../../../electron/engine/jobs/job-types.ts';
import { JobError } from '../../../electron/engine/jobs/job-types.ts';
import {
  createLocalJobRunner,
  type LocalJobRunner,
} from '../../../electron/engine/exports/local-job.ts';
import { makeRig, type Rig } from './harness.ts';

let rig: Rig;
let local: LocalJobRunner | null = null;
afterEach(async () => {
  await local?.close();
  local = null;
  await rig?.close();
});

const spec = (over: Partial<JobSpec> = {}): JobSpec => ({
  exportId: 'job-1',
  name: 'people out',
  format: 'csv',
  compression: 'gzip',
  compressionLevel: 6,
  dataset: 'people',
  columns: ['id', 'state'],
  filter: { where: [{ column: 'state', op: 'eq', value: 'TX' }] },
  providerId: null,
  params: null,
  remoteId: null,
  attempt: 1,
  ...over,
});

function hooks(signal: AbortSignal, seen: JobProgress[]): JobHooks {
  const exportDir = join(rig.ctx.paths.filesDir, 'job-1');
  mkdirSync(exportDir, { recursive: true });
  return {
    signal,
    exportDir,
    progress: (p) => seen.push(p),
    recordRemote: () => undefined,
  };
}

function runner(): LocalJobRunner {
  local = createLocalJobRunner(rig.ctx, {
    datasets: { describe: (name) => describeOf(name) },
    progressMs: 0,
  });
  return local;
}
let describeOf: (name: string) => ReturnType<Rig['addDataset']>;

describe('the local job kind, through run(spec, hooks)', () => {
  it('writes the verified file into the export folder and reports its stages in words', async () => {
    rig = makeRig({}, {}, false);
    const ds = rig.addDataset('people', 30);
    describeOf = (name) => {
      if (name !== 'people') throw new Error(`unknown dataset "${name}"`);
      return ds;
    };
    const seen: JobProgress[] = [];
    const h = hooks(new AbortController().signal, seen);
    const warm = runner();
    const [file] = await warm.run(spec(), h);
    expect(file!.filename).toBe('people-out.csv.gz');
    const text = gunzipSync(readFileSync(join(h.exportDir, file!.filename))).toString();
    expect(text.split('\r\n')[0]).toBe('id,state');
    expect(file!.rowCount).toBe(10);
    expect(readdirSync(h.exportDir)).toEqual(['people-out.csv.gz']);
    // The queue stores the first stage as it starts the export; the worker tells the later ones
    // in words, and only once an export has run past its first 50 ms.
    expect(warm.firstStage).toBe('counting rows');
    for (const p of seen) expect(['writing rows', 'finishing']).toContain(p.stage);
    // Warm, a 10-row export ends inside those 50 ms and tells nothing on the way (one in five
    // at least, so a loaded machine does not fail it).
    const quiet: number[] = [];
    for (let i = 0; i < 5; i++) {
      const again: JobProgress[] = [];
      await warm.run(spec(), hooks(new AbortController().signal, again));
      quiet.push(again.length);
    }
    expect(quiet).toContain(0);
  });

  it('a longer export tells its stages in words as it goes', async () => {
    rig = makeRig({}, {}, false);
    const ds = rig.addDataset('people', 200_000);
    describeOf = () => ds;
    const seen: JobProgress[] = [];
    const h = hooks(new AbortController().signal, seen);
    await runner().run(spec({ columns: null, filter: null, compressionLevel: 9 }), h);
    const stages = [...new Set(seen.map((p) => p.stage))];
    expect(stages).toEqual(['writing rows', 'finishing']);
    expect(seen.at(-1)!.rowsDone).toBe(200_000);
  });

  it('a stop through the signal ends the worker mid-file and leaves no part behind', async () => {
    rig = makeRig({}, {}, false);
    const ds = rig.addDataset('people', 200_000);
    describeOf = () => ds;
    const abort = new AbortController();
    const seen: JobProgress[] = [];
    const h = hooks(abort.signal, seen);
    const job = runner().run(spec({ columns: null, filter: null, compressionLevel: 9 }), {
      ...h,
      progress: (p) => {
        seen.push(p);
        if (p.stage === 'writing rows') abort.abort();
      },
    });
    await expect(job).rejects.toBeInstanceOf(JobError);
    expect(readdirSync(h.exportDir)).toEqual([]);
  });

  it('a dataset gone since the export was accepted fails with a reason', async () => {
    rig = makeRig({}, {}, false);
    describeOf = (name) => {
      throw new Error(`unknown dataset "${name}"`);
    };
    const h = hooks(new AbortController().signal, []);
    await expect(runner().run(spec(), h)).rejects.toThrow(
      /The dataset "people" can no longer be exported as requested: unknown dataset "people"/,
    );
  });
});
