// Helpers for export tests: wait for a final status, fetch a presigned file through inject.
import { vi } from 'vitest';
import { gunzipSync } from 'node:zlib';
import type { Export } from '../../shared/schemas/exports.ts';
import type { TestServer } from './server.ts';

export async function waitFinal(s: TestServer, id: string, timeoutMs = 20_000): Promise<Export> {
  return vi.waitFor(
    async () => {
      const exp = (await s.call({ url: `/v1/exports/${id}` })).json().data as Export;
      if (['pending', 'processing'].includes(exp.status))
        throw new Error(`export ${id} still ${exp.status}`);
      return exp;
    },
    { timeout: timeoutMs, interval: 20 },
  );
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
