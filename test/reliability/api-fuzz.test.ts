// Property-based fuzzing built from the server's own OpenAPI document: for every operation, path
// parameters, query strings and JSON bodies drawn from its schemas, well-formed and not. Never a
// 5xx; every answer matches its documented schema or the error envelope; healthy afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { makeServer, type TestServer } from '../helpers/server.ts';
import { waitFinal } from '../helpers/exports.ts';
import { recordFigures } from './figures.ts';

type Schema = Record<string, unknown>;
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly params: { name: string; in: string; schema: Schema; required?: boolean }[];
  readonly body: Schema | null;
  readonly responses: Record<string, Schema | null>;
}

const scratch = mkdtempSync(join(tmpdir(), 'em-fuzz-'));
const CASES = Number(process.env.RELIABILITY_FUZZ_CASES ?? 10_000);
let s: TestServer;
let ops: Operation[];
let ajv: Ajv;
const validators = new Map<string, ValidateFunction>();
const statusCounts: Record<string, number> = {};
let total = 0;

const envelopeError = {
  type: 'object',
  required: ['error', 'meta'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
    meta: { type: 'object', required: ['request_id'] },
  },
};

/** Odd strings every field should survive: traversal, NUL, huge, unicode, injection-looking. */
const nasty = fc.constantFrom(
  '',
  '../../etc/passwd',
  '..%2f..%2fetc',
  '%2e%2e',
  'a\u0000b',
  'x'.repeat(5000),
  '💥'.repeat(50),
  "'; DROP TABLE exports; --",
  '{"$gt":""}',
  '0193a000-0000-7000-8000-000000000000',
  'C:\\Windows\\system32',
  '/',
  ' ',
  'null',
);

/** Values for a schema: mostly valid-shaped, sometimes anything at all. */
function arb(schema: Schema | undefined, key = '', depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  const valid = validArb(schema, key, depth);
  return fc.oneof(
    { weight: 8, arbitrary: valid },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 1, arbitrary: nasty },
  );
}

function validArb(schema: Schema, key: string, depth: number): fc.Arbitrary<unknown> {
  // Vendor addresses only ever point at a closed loopback port: no traffic leaves this machine.
  if (key === 'base_url')
    return fc.constantFrom(
      'http://127.0.0.1:9',
      'https://127.0.0.1:9/v1',
      'ftp://127.0.0.1',
      'not a url',
    );
  if (key === 'path')
    return fc.oneof(nasty, fc.constantFrom('/nonexistent/file.csv', '/etc/passwd', scratch));
  // Folders the engine may write into: only inside this test's scratch folder, or refused ones.
  if (key === 'dir')
    return fc.constantFrom(
      '',
      'relative/dir',
      '../../etc',
      'a\u0000b',
      `${scratch}/out`,
      `${scratch}/a/../b`,
    );
  if (key === 'dataset')
    return fc.oneof(fc.constant('leads'), validArb({ type: 'string' }, '', depth));
  const anyOf = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (anyOf) return fc.oneof(...anyOf.map((x) => validArb(x, key, depth + 1)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const type = schema.type;
  if (Array.isArray(type))
    return fc.oneof(...type.map((t) => validArb({ ...schema, type: t }, key, depth)));
  switch (type) {
    case 'string':
      if (schema.format === 'date-time')
        return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      return fc.oneof(
        fc.string({ maxLength: Math.min(Number(schema.maxLength ?? 40), 60) }),
        nasty,
      );
    case 'integer':
      return fc.oneof(
        fc.integer({
          min: Number(schema.minimum ?? -1000),
          max: Number(schema.maximum ?? 1_000_000),
        }),
        fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 31)),
      );
    case 'number':
      return fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, -1, 1e308));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arb(schema.items as Schema, key, depth + 1), { maxLength: 4 });
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const names = Object.keys(props);
      if (names.length === 0)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), {
          maxKeys: 3,
        });
      const required = (schema.required ?? []) as string[];
      return fc.record(Object.fromEntries(names.map((n) => [n, arb(props[n], n, depth + 1)])), {
        requiredKeys: required.filter((r) => names.includes(r)),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function pointer(...parts: string[]): string {
  return parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

function validatorFor(op: Operation, status: number): ValidateFunction | null {
  const key = `${op.method} ${op.path} ${status}`;
  if (validators.has(key)) return validators.get(key)!;
  if (!op.responses[String(status)]) return null;
  const v = ajv.compile({
    $ref: `openapi#/${pointer('paths', op.path, op.method, 'responses', String(status), 'content', 'application/json', 'schema')}`,
  });
  validators.set(key, v);
  return v;
}

beforeAll(async () => {
  s = await makeServer({ demoRows: 300, exportsTestSeams: { progressMs: 0 } });
  const doc = s.app.swagger() as unknown as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: Operation['params'];
          requestBody?: { content: Record<string, { schema: Schema }> };
          responses?: Record<string, { content?: Record<string, { schema: Schema }> }>;
        }
      >
    >;
  };
  ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...(doc as object), $id: 'openapi' });
  ops = [];
  // Bodies are generated from the schemas themselves: named components are inlined for that.
  const components = (doc as unknown as { components: { schemas: Record<string, Schema> } })
    .components.schemas;
  const inline = (schema: unknown): Schema => {
    if (Array.isArray(schema)) return schema.map(inline) as unknown as Schema;
    if (schema === null || typeof schema !== 'object') return schema as Schema;
    const ref = (schema as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/'))
      return inline(components[ref.slice('#/components/schemas/'.length)]);
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v)])) as Schema;
  };
  for (const [path, byMethod] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(byMethod)) {
      if (path === '/v1/events') continue; // a stream that never ends; covered by its own tests
      if (method === 'head') continue; // no body to judge; the GET of the same route is fuzzed
      ops.push({
        method,
        path,
        params: inline(op.parameters ?? []) as unknown as Operation['params'],
        body: op.requestBody ? inline(op.requestBody.content['application/json']?.schema) : null,
        responses: Object.fromEntries(
          Object.entries(op.responses ?? {}).map(([k, r]) => [
            k,
            r.content?.['application/json']?.schema ?? null,
          ]),
        ),
      });
    }
  // The presigned file route is not in the document (no key, signed links): fuzz it too.
  ops.push({
    method: 'get',
    path: '/files/{id}/{filename}',
    params: [
      { name: 'id', in: 'path', schema: { type: 'string' } },
      { name: 'filename', in: 'path', schema: { type: 'string' } },
      { name: 'expires', in: 'query', schema: { type: 'integer' } },
      { name: 'signature', in: 'query', schema: { type: 'string' } },
    ],
    body: null,
    responses: {},
  });
});

afterAll(async () => {
  recordFigures('fuzz', { cases: total, operations: ops?.length, statuses: statusCounts });
  await s?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('fuzzing every operation from the OpenAPI document', () => {
  it(`${CASES} requests: never a 5xx, every answer as documented, healthy after`, async () => {
    const perOp = Math.ceil(CASES / ops.length);
    for (const op of ops) {
      const pathParams = op.params.filter((p) => p.in === 'path');
      const queryParams = op.params.filter((p) => p.in === 'query');
      const input = fc.record({
        path: fc.record(
          Object.fromEntries(
            pathParams.map((p) => [p.name, fc.oneof(arb(p.schema, p.name), nasty).map(String)]),
          ),
        ),
        query: fc.record(
          Object.fromEntries(queryParams.map((p) => [p.name, arb(p.schema, p.name)])),
          { requiredKeys: [] },
        ),
        body: op.body ? arb(op.body) : fc.constant(undefined),
        rawBody: fc.option(fc.constantFrom('{', 'null', '[]', '"x"', '{"a":1}'.repeat(3)), {
          freq: 10,
        }),
      });
      await fc.assert(
        fc.asyncProperty(input, async ({ path, query, body, rawBody }) => {
          let url = op.path;
          for (const [k, v] of Object.entries(path))
            url = url.replace(`{${k}}`, encodeURIComponent(v));
          const qs = new URLSearchParams();
          for (const [k, v] of Object.entries(query))
            if (v !== undefined) qs.set(k, typeof v === 'string' ? v : JSON.stringify(v));
          const q = qs.toString();
          const withBody = op.method !== 'get' && op.method !== 'delete';
          const res = await s.call({
            method: op.method.toUpperCase() as 'GET',
            url: q ? `${url}?${q}` : url,
            ...(withBody
              ? {
                  payload: rawBody ?? JSON.stringify(body ?? {}),
                  headers: { 'content-type': 'application/json' },
                }
              : {}),
          });
          total++;
          statusCounts[res.statusCode] = (statusCounts[res.statusCode] ?? 0) + 1;
          const where =
            `${op.method.toUpperCase()} ${url}?${q} ${rawBody ?? JSON.stringify(body)}`.slice(
              0,
              400,
            );
          expect(res.statusCode, `${where} -> ${res.body.slice(0, 500)}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const ok = ajv.validate(envelopeError, res.json());
            expect(ok, `${where}: error body ${res.body.slice(0, 300)}`).toBe(true);
            expect(res.body).not.toMatch(/at .*\.ts:\d+/); // never a stack trace
          } else {
            const validate = validatorFor(op, res.statusCode);
            if (validate) {
              const ok = validate(res.json());
              expect(
                ok,
                `${where}: ${JSON.stringify(validate.errors)} in ${res.body.slice(0, 300)}`,
              ).toBe(true);
            }
          }
        }),
        { numRuns: perOp, seed: Number(process.env.RELIABILITY_SEED ?? 20261122) },
      );
    }
    expect(total).toBeGreaterThanOrEqual(CASES);

    // Still healthy: health answers, and a normal export completes with its file.
    const health = await s.call({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const created = await s.call({
      method: 'POST',
      url: '/v1/exports',
      payload: { dataset: 'leads', name: 'after the fuzz' },
    });
    expect(created.statusCode, created.body).toBe(202);
    const exp = await waitFinal(s, created.json().data.id, 60_000);
    expect(exp.status, JSON.stringify(exp.error)).toBe('completed');
  }, 600_000);
});
