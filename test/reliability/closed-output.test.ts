// The reader of serve's output goes away (`export-manager serve | head`, a closed terminal, a log
// shipper that died): the engine keeps serving, and SIGTERM still stops it at once. Before, every
// write to the closed pipe became an uncaught exception whose log line failed again, in a loop
// that used a core and never reached the exit.
import { afterAll, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { tempDir } from '../helpers/context.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const dirs: string[] = [];
const procs: ServeProcess[] = [];
afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) await p.kill9();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** CPU seconds the process has used (utime + stime from /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

it.skipIf(process.platform !== 'linux')(
  'stdout and stderr closed under a running engine: it keeps serving, and SIGTERM stops it',
  async () => {
    const dir = tempDir('em-rel-closed-');
    dirs.push(dir);
    const p = await startServe(dir, ['--demo-rows', '2000']);
    procs.push(p);
    // The reader goes away.
    p.child.stdout!.destroy();
    p.child.stderr!.destroy();
    // Work that logs: an export of the demo dataset, and a request that fails.
    const created = await p.api<{ data: { id: string } }>('POST', '/v1/exports', {
      dataset: 'leads',
    });
    expect(created.status).toBe(202);
    const id = created.json.data.id;
    let status = '';
    for (let i = 0; i < 200 && status !== 'completed'; i++) {
      status = (await p.api<{ data: { status: string } }>('GET', `/v1/exports/${id}`)).json.data
        .status;
      if (status !== 'completed') await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('completed');
    expect((await p.api('GET', '/v1/exports/not-an-id')).status).toBe(400);

    const before = cpuSeconds(p.child.pid!);
    await new Promise((r) => setTimeout(r, 1000));
    // Idle with its output gone: no loop.
    expect(cpuSeconds(p.child.pid!) - before).toBeLessThan(0.5);

    const t0 = Date.now();
    const exited = new Promise<number | null>((r) => p.child.once('exit', (code) => r(code)));
    p.child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000)),
    ]);
    expect(code, 'serve did not stop within 10 s of SIGTERM').toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  },
  60_000,
);
