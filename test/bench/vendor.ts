// A DataDriver-shaped vendor on 127.0.0.1:0 serving one large cached gzip file for every export.
// The shapes come from the shared vendor fakes (vendor-views.ts); only the bytes are the bench's:
// the fixture fake builds its CSV at create time, which would put data generation in the timing.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { described, type ServedFile } from '../fixtures/vendors/csv-data.ts';
import { renderExport, type FakeExport, type ViewEnv } from '../fixtures/vendors/vendor-views.ts';

export interface BenchVendor {
  readonly url: string;
  readonly token: string;
  readonly file: ServedFile;
  /** A fresh storage link for the baseline's curl. */
  link(): string;
  stop(): Promise<void>;
}

export async function startBenchVendor(gzPath: string, rows: number): Promise<BenchVendor> {
  const token = 'bench-token';
  const file = described('bench.csv.gz', readFileSync(gzPath), null, rows);
  const exports = new Map<string, FakeExport>();
  let origin = '';
  const env: ViewEnv = {
    now: () => Date.now(),
    link: (exp) => {
      const expiresAt = Date.now() + 3600_000;
      return { url: `${origin}/objects/${exp.id}/bench.csv.gz?expires=${expiresAt}`, expiresAt };
    },
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  function serveFile(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (Number(url.searchParams.get('expires')) <= Date.now()) {
      res.writeHead(403).end();
      return;
    }
    const body = file.body;
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const ifRange = req.headers['if-range'];
    const start = range && (!ifRange || ifRange === file.etag) ? Number(range[1]) : 0;
    const headers: Record<string, string | number> = {
      'content-type': 'application/gzip',
      'accept-ranges': 'bytes',
      etag: file.etag,
      'content-length': body.length - start,
    };
    if (start > 0) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    if (req.method === 'HEAD') res.end();
    else res.end(body.subarray(start));
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://vendor');
    req.resume();
    req.on('end', () => {
      if (url.pathname.startsWith('/objects/')) return serveFile(req, res, url);
      if (req.headers.authorization !== `Bearer ${token}`)
        return json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'bad key' } });
      if (req.method === 'POST' && url.pathname === '/v1/exports') {
        // Completed at once: the row measures the download, not a vendor's queue.
        const exp: FakeExport = {
          id: `exp_${randomUUID().replaceAll('-', '')}`,
          n: exports.size + 1,
          params: {},
          name: 'bench',
          createdAt: Date.now(),
          polls: 0,
          status: 'completed',
          completedAt: Date.now(),
          files: [file],
          linkVersion: 1,
          announced: { sizes: [file.body.length], rows, fileRows: [rows] },
        };
        exports.set(exp.id, exp);
        const [, view] = renderExport('datadriver', exp, env);
        return json(res, 202, view);
      }
      const m = /^\/v1\/exports\/([^/]+)$/.exec(url.pathname);
      const exp = m ? exports.get(decodeURIComponent(m[1]!)) : undefined;
      if (req.method === 'GET' && exp) {
        const [status, view] = renderExport('datadriver', exp, env);
        return json(res, status, view);
      }
      return json(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    token,
    file,
    link: () => `${origin}/objects/baseline/bench.csv.gz?expires=${Date.now() + 3600_000}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
