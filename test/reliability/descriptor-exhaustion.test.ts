// Idle half-open connections against a low descriptor limit: the engine keeps answering keyed
// requests, keeps running exports, and never exits.
import { afterAll, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { tempDir } from '../helpers/context.ts';
import { recordFigures } from './figures.ts';
import { startServe, type ServeProcess } from './serve-process.ts';

const FD_LIMIT = 256;
const IDLE_SOCKETS = 900;
const dataDir = tempDir('em-rel-fds-');
let s: ServeProcess | undefined;
const sockets: Socket[] = [];

afterAll(async () => {
  for (const so of sockets) so.destroy();
  await s?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function answered(timeoutMs: number): Promise<number | null> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const r = await fetch(`${s!.base}/v1/settings`, {
        headers: { authorization: `Bearer ${s!.key}` },
        signal: AbortSignal.timeout(1000),
      });
      if (r.status === 200) return performance.now() - (deadline - timeoutMs);
    } catch {
      // refused or reset while the flood lasts: try again
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

it(`${IDLE_SOCKETS} idle connections at a ${FD_LIMIT}-descriptor limit: keyed requests and exports still work`, async () => {
  s = await startServe(
    dataDir,
    ['--demo-rows', '2000', '--header-timeout', '2'],
    0,
    process.env,
    FD_LIMIT,
  );
  let closedByServer = 0;
  for (let i = 0; i < IDLE_SOCKETS; i++) {
    const so = connect(s.port, '127.0.0.1');
    so.on('error', () => {});
    so.on('close', () => closedByServer++);
    sockets.push(so);
  }
  await new Promise((r) => setTimeout(r, 500));
  const answerMs = await answered(5000);
  expect(answerMs, s.output()).not.toBeNull();

  // An export needs descriptors too (store, worker, files): it completes while the flood holds.
  const created = await s.api<{ data: { id: string } }>('POST', '/v1/exports', {
    dataset: 'leads',
    name: 'During the flood',
    format: 'csv',
    compression: 'gzip',
  });
  expect(created.status).toBe(202);
  let status = '';
  for (let i = 0; i < 300 && status !== 'completed' && status !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = (
      await s.api<{ data: { status: string } }>('GET', `/v1/exports/${created.json.data.id}`)
    ).json.data.status;
  }
  expect(status).toBe('completed');
  // Idle sockets that never sent a request are closed by the server (header deadline, cap).
  await new Promise((r) => setTimeout(r, 2500));
  expect(closedByServer).toBeGreaterThan(IDLE_SOCKETS * 0.9);
  expect(s.child.exitCode).toBeNull();
  expect(s.child.signalCode).toBeNull();
  recordFigures('descriptor-exhaustion', {
    fd_limit: FD_LIMIT,
    idle_sockets: IDLE_SOCKETS,
    keyed_request_answered_ms: Math.round(answerMs!),
    closed_by_server: closedByServer,
  });
});
