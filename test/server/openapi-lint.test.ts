// The served OpenAPI document is complete and lint-clean: Redocly (recommended) and Spectral
// (spectral:oas) report nothing, every operation is named, described and tagged, and its objects
// are named component schemas.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/context.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const binOf = (pkg: string, bin: string): string => {
  const manifest = require(`${pkg}/package.json`) as { bin: Record<string, string> };
  return join(dirname(require.resolve(`${pkg}/package.json`)), manifest.bin[bin] ?? '');
};

/** Runs a linter CLI under this Node; its exit status is ours to judge from its JSON output. */
function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, REDOCLY_TELEMETRY: 'off' } },
      (err, stdout, stderr) => {
        if (stdout.trim().startsWith('{') || stdout.trim().startsWith('[')) resolve(stdout);
        else reject(new Error(`${args[0]} gave no JSON: ${String(err)}\n${stderr}\n${stdout}`));
      },
    );
  });
}

interface Problem {
  readonly rule: string;
  readonly message: string;
  readonly where: string;
}

async function redocly(file: string): Promise<Problem[]> {
  const out = await run([
    binOf('@redocly/cli', 'redocly'),
    'lint',
    '--config',
    join(here, 'openapi-lint.redocly.yaml'),
    '--format=json',
    file,
  ]);
  const report = JSON.parse(out) as {
    problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
  };
  return report.problems.map((p) => ({
    rule: p.ruleId,
    message: p.message,
    where: p.location[0]?.pointer ?? '',
  }));
}

async function spectral(file: string): Promise<Problem[]> {
  const out = await run([
    binOf('@stoplight/spectral-cli', 'spectral'),
    'lint',
    '--ruleset',
    join(here, 'openapi-lint.spectral.yaml'),
    '--format=json',
    '--quiet',
    file,
  ]);
  const results = JSON.parse(out) as { code: string; message: string; path: string[] }[];
  return results.map((r) => ({ rule: r.code, message: r.message, where: r.path.join('.') }));
}

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};
type Doc = {
  servers: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

let s: TestServer;
let doc: Doc;
let dir: string;
beforeAll(async () => {
  s = await makeServer();
  const res = await s.call({ url: '/v1/openapi.json', key: null });
  expect(res.statusCode).toBe(200);
  doc = res.json() as Doc;
  dir = tempDir();
  mkdirSync(dir, { recursive: true });
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

describe('the OpenAPI document', () => {
  it('passes Redocly (recommended) and Spectral (spectral:oas) with nothing to report; both fail a broken copy', async () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    // A copy where one operation lost its id and summary and another its success answer.
    const broken = structuredClone(doc);
    const op = broken.paths['/v1/exports/{id}']!.get!;
    delete op.operationId;
    delete op.summary;
    delete broken.paths['/v1/exports/{id}/download']!.get!.responses['302'];
    const brokenFile = join(dir, 'broken.json');
    writeFileSync(brokenFile, JSON.stringify(broken, null, 2));
    // All four at once: the test stays well under 20 s.
    const [fromRedocly, fromSpectral, brokenRedocly, brokenSpectral] = await Promise.all([
      redocly(file),
      spectral(file),
      redocly(brokenFile),
      spectral(brokenFile),
    ]);
    expect(fromRedocly).toEqual([]);
    expect(fromSpectral).toEqual([]);
    expect(brokenRedocly.map((p) => p.rule).sort()).toEqual([
      'operation-operationId',
      'operation-summary',
      'rule/operation-success-response',
    ]);
    expect(brokenSpectral.map((p) => p.rule)).toContain('operation-operationId');
  });

  it('names, describes and tags every operation, with unique ids and tags it declares', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    const declared = new Set(doc.tags.map((t) => t.name));
    for (const { path, method, op } of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary, where).toBeTruthy();
      expect(op.description, where).toBeTruthy();
      expect(op.tags?.length, where).toBe(1);
      expect(declared.has(op.tags![0]!), where).toBe(true);
    }
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'createExport',
        'getExport',
        'downloadExport',
        'listExports',
        'streamEvents',
        'downloadFile',
        'headDownloadFile',
        'downloadFileByPath',
        'getOpenApiDocument',
      ]),
    );
  });

  it('lists each error status an operation answers, in the Error envelope', () => {
    for (const { path, method, op } of operations()) {
      const errors = Object.keys(op.responses).filter((c) => /^[45]/.test(c));
      expect(errors, `${method} ${path}`).toEqual(expect.arrayContaining(['403', '500']));
      for (const code of errors) {
        const json = op.responses[code]?.content?.['application/json'];
        if (code === '416') continue; // the range refusal documents its own body
        expect(json?.schema?.$ref, `${method} ${path} ${code}`).toBe('#/components/schemas/Error');
      }
    }
    const download = doc.paths['/v1/exports/{id}/download']!.get!.responses;
    expect(Object.keys(download)).toEqual(
      expect.arrayContaining(['302', '400', '401', '403', '404', '409', '410']),
    );
    expect(Object.keys(doc.paths['/v1/exports']!.post!.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '409', '413', '415', '422']),
    );
    // Keyless routes do not list 401.
    expect(Object.keys(doc.paths['/healthz']!.get!.responses)).not.toContain('401');
    expect(Object.keys(doc.paths['/files/{id}/{filename}']!.get!.responses)).not.toContain('401');
  });

  it('publishes named component schemas and refers to them', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Export',
        'ExportRequest',
        'Filter',
        'Condition',
        'Dataset',
        'Provider',
        'Schedule',
        'ScheduleRun',
        'Error',
      ]),
    );
    const getExport = doc.paths['/v1/exports/{id}']!.get!.responses['200']!.content![
      'application/json'
    ]!.schema as { properties: { data: { $ref: string } } };
    expect(getExport.properties.data.$ref).toBe('#/components/schemas/Export');
    const body = (
      doc.paths['/v1/exports']!.post as unknown as {
        requestBody: { content: Record<string, { schema: { $ref: string } }> };
      }
    ).requestBody.content['application/json']!.schema;
    expect(body.$ref).toBe('#/components/schemas/ExportRequest');
    const condition = doc.components.schemas.Condition as {
      properties: { op: { type: string; enum: string[] } };
    };
    expect(condition.properties.op.type).toBe('string');
    expect(condition.properties.op.enum).toContain('is_not_null');
  });

  it('names its server and documents the event stream and the presigned files', () => {
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:8787', description: 'This server' }]);
    const events = doc.paths['/v1/events']!.get!.responses['200']!.content!;
    expect(Object.keys(events)).toEqual(['text/event-stream']);
    const file = doc.paths['/files/{id}/{signature}/{expires}/{filename}']!;
    expect(Object.keys(file).sort()).toEqual(['get', 'head']);
    expect(Object.keys(file.get!.responses['200']!.content!)).toContain('application/gzip');
  });
});
