// A typed client generated from the served document: openapi-typescript writes its types, a small
// client (openapi-client-usage.ts.txt) is type-checked against them, and then drives
// create → poll → download against the server. The document and the code cannot drift apart
// silently: a renamed operation, a lost schema or a wrong enum fails the type check.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/context.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Strict type errors of the given files, as text. */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    lib: ['lib.es2022.d.ts'],
    types: [],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

let s: TestServer;
let dir: string;
let generated: string;
beforeAll(async () => {
  s = await makeServer({ demoRows: 2000, exportsTestSeams: { progressMs: 0 } });
  const doc = (await s.call({ url: '/v1/openapi.json', key: null })).json() as object;
  generated = astToString(await openapiTS(doc as Parameters<typeof openapiTS>[0]));
  dir = tempDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'api.d.ts'), generated);
  copyFileSync(join(here, 'openapi-client-usage.ts.txt'), join(dir, 'usage.ts'));
  // A package.json that makes the folder an ES module scope, as the usage file is written.
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a client typed by openapi-typescript from the served document', () => {
  it('generates operations named by operationId and the named schemas', () => {
    for (const name of ['createExport', 'getExport', 'downloadExport', 'streamEvents'])
      expect(generated).toContain(`    ${name}: {`);
    for (const name of ['Export', 'ExportRequest', 'Condition', 'Filter', 'Error'])
      expect(generated).toContain(`        ${name}: {`);
    expect(generated).toContain('"/v1/exports/{id}/download"');
  });

  it('type-checks the client strictly, and refuses a request the API would refuse', () => {
    expect(typeErrors([join(dir, 'usage.ts')])).toEqual([]);
    writeFileSync(
      join(dir, 'wrong.ts'),
      [
        "import type { components } from './api.d.ts';",
        "type ExportRequest = components['schemas']['ExportRequest'];",
        "export const badFormat: ExportRequest = { dataset: 'leads', format: 'xml' };",
        'export const badOp: ExportRequest = {',
        "  dataset: 'leads',",
        "  filter: { where: [{ column: 'state', op: 'like', value: 'TX' }] },",
        '};',
        "export const unknownField: ExportRequest = { dataset: 'leads', formt: 'csv' };",
      ].join('\n'),
    );
    const errors = typeErrors([join(dir, 'wrong.ts')]).join('\n');
    expect(errors).toContain('"xml"');
    expect(errors).toContain('"like"');
    expect(errors).toContain('formt');
  });

  it('drives create → poll → download with it', async () => {
    const usage = (await import(pathToFileURL(join(dir, 'usage.ts')).href)) as {
      createPollDownload(t: unknown): Promise<{
        done: { status: string; row_count: number | null; files: { filename: string }[] };
        location: string;
        listed: number;
        refused: string;
      }>;
    };
    const result = await usage.createPollDownload({
      async request(method: 'GET' | 'POST', url: string, body?: unknown) {
        const res = await s.call({
          method,
          url,
          ...(body === undefined ? {} : { payload: body as object }),
        });
        const location = res.headers.location;
        return {
          status: res.statusCode,
          location: typeof location === 'string' ? location : null,
          body: res.body === '' ? null : (res.json() as unknown),
        };
      },
      pause: () => new Promise((r) => setTimeout(r, 20)),
    });
    expect(result.done.status).toBe('completed');
    expect(result.done.row_count).toBeGreaterThan(0);
    expect(result.done.files[0]?.filename).toBe('texas-leads.csv.gz');
    expect(result.listed).toBe(1);
    expect(result.refused).toBe('NOT_FOUND');
    // The link the client was sent to serves the gzip file without a key.
    const link = new URL(result.location);
    const file = await s.call({ url: link.pathname + link.search, key: null });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/gzip');
    expect(file.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });
});
