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

/** The parts of a path-form link `/files/ID/SIGNATURE/EXPIRES/NAME`, and the same link in the
 * older query form `/files/ID/NAME?expires=&signature=` (still accepted until it expires). */
export function linkParts(url: string) {
  const u = new URL(url);
  const [, files, id, signature, expires, filename] = u.pathname.split('/');
  if (files !== 'files' || !id || !signature || !expires || !filename || u.search !== '') {
    throw new Error(`not a path-form file link: ${url}`);
  }
  const path = `/files/${id}/${filename}`;
  return {
    id,
    signature,
    expires,
    filename,
    /** `/files/ID/NAME`: what both forms sign. */
    path,
    /** The path form with any part replaced. */
    with: (p: { signature?: string; expires?: string; filename?: string; id?: string }) =>
      `/files/${p.id ?? id}/${p.signature ?? signature}/${p.expires ?? expires}/${p.filename ?? filename}`,
    queryForm: `${path}?expires=${expires}&signature=${signature}`,
  };
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
