// Helpers for export tests: wait for a final status, fetch a presigned file through inject.
import { gunzipSync } from 'node:zlib';
import type { Export } from '../../shared/schemas/exports.ts';
import type { TestServer } from './server.ts';

export async function waitFinal(s: TestServer, id: string, timeoutMs = 20_000): Promise<Export> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await s.call({ url: `/v1/exports/${id}` });
    const exp = res.json().data as Export;
    if (!['pending', 'processing'].includes(exp.status)) return exp;
    if (Date.now() > deadline) throw new Error(`export ${id} still ${exp.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Fetches a presigned URL as a local tool would (no key), returning the raw bytes. */
export async function fetchLink(s: TestServer, url: string, headers: Record<string, string> = {}) {
  const u = new URL(url);
  return s.call({ url: u.pathname + u.search, key: null, headers });
}

export function gunzipText(body: Buffer): string {
  return gunzipSync(body).toString('utf8');
}

export async function createExport(
  s: TestServer,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return s.call({ method: 'POST', url: '/v1/exports', payload: body, headers });
}
