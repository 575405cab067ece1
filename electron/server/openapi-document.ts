// The final pass over the generated OpenAPI document, written for people and generators: named
// component schemas instead of the same object inlined everywhere, the tags described, one
// operationId per method, and each operation's error answers in the Error envelope.
import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import { errorStatus, type ApiErrorCode } from '../../shared/errors.ts';
import { ErrorBody, Meta } from '../../shared/schemas/common.ts';
import {
  ColumnValue,
  ColumnValues,
  Dataset,
  DatasetColumn,
  DatasetCount,
  DatasetCountRequest,
  DatasetCreate,
} from '../../shared/schemas/datasets.ts';
import {
  DestinationRequest,
  Export,
  ExportCounts,
  ExportCreate,
  ExportError,
  ExportFile,
  ExportFilter,
  ExportSave,
  ExportSaved,
  ExportSource,
  StatusChange,
  TimelineEntry,
  WhereClause,
} from '../../shared/schemas/exports.ts';
import {
  Provider,
  ProviderCreate,
  ProviderTestResult,
  ProviderUpdate,
} from '../../shared/schemas/providers.ts';
import {
  Schedule,
  ScheduleCreate,
  SchedulePreview,
  ScheduleRun,
  ScheduleUpdate,
} from '../../shared/schemas/schedules.ts';
import {
  ApiKey,
  ApiKeyCreate,
  Health,
  Settings,
  SettingsUpdate,
} from '../../shared/schemas/system.ts';
import { errorResponses } from './openapi-responses.ts';

/** Schemas published under these names; wherever one appears in the document it becomes a $ref. */
const named: ReadonlyArray<readonly [string, TSchema]> = [
  ['Export', Export],
  ['ExportRequest', ExportCreate],
  ['Filter', ExportFilter],
  ['Condition', WhereClause],
  ['Destination', DestinationRequest],
  ['ExportSource', ExportSource],
  ['ExportFile', ExportFile],
  ['ExportError', ExportError],
  ['StatusChange', StatusChange],
  ['TimelineEntry', TimelineEntry],
  ['ExportCounts', ExportCounts],
  ['ExportSaveRequest', ExportSave],
  ['ExportSaved', ExportSaved],
  ['Dataset', Dataset],
  ['DatasetColumn', DatasetColumn],
  ['DatasetImportRequest', DatasetCreate],
  ['ColumnValue', ColumnValue],
  ['ColumnValues', ColumnValues],
  ['DatasetCountRequest', DatasetCountRequest],
  ['DatasetCount', DatasetCount],
  ['Provider', Provider],
  ['ProviderRequest', ProviderCreate],
  ['ProviderUpdate', ProviderUpdate],
  ['ProviderTestResult', ProviderTestResult],
  ['Schedule', Schedule],
  ['ScheduleRequest', ScheduleCreate],
  ['ScheduleUpdate', ScheduleUpdate],
  ['ScheduleRun', ScheduleRun],
  ['SchedulePreview', SchedulePreview],
  ['ApiKey', ApiKey],
  ['ApiKeyRequest', ApiKeyCreate],
  ['Settings', Settings],
  ['SettingsUpdate', SettingsUpdate],
  ['Health', Health],
  ['Meta', Meta],
];

const errorCodes = Object.keys(errorStatus) as ApiErrorCode[];

/** The error envelope, its code a closed set. */
const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Enum(errorCodes, { description: 'A stable code for programs.' }),
      message: Type.String({ description: 'A sentence for a person.' }),
      details: Type.Optional(
        Type.Record(Type.String(), Type.Unknown(), {
          description: 'More about it, e.g. `field`: the part of the request at fault.',
        }),
      ),
    }),
    meta: Type.Object({ request_id: Type.String() }),
  },
  { description: 'Every error answer, whatever its status.' },
);

export const tags = [
  { name: 'system', description: 'Liveness and this document.' },
  {
    name: 'exports',
    description:
      'Create exports of local datasets or at vendors, follow them, download their files.',
  },
  { name: 'files', description: 'Presigned file links: no key, the signature is the credential.' },
  { name: 'datasets', description: 'Local tables to export from: imported CSV, CSV.gz, JSONL.' },
  { name: 'providers', description: 'Vendor accounts exports can be created at.' },
  { name: 'schedules', description: 'Saved export requests that run on a timetable.' },
  { name: 'events', description: 'A resumable Server-Sent Events stream of every change.' },
  { name: 'keys', description: 'API keys and one-time browser sign-in links.' },
  { name: 'settings', description: 'The engine settings a client may read and change.' },
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON text with sorted keys: two schemas with the same content compare equal. */
function canonical(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k] as Json)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

type JsonObject = { [k: string]: Json };

const isEnumOnly = (s: Json): s is { enum: Json[] } =>
  s !== null && typeof s === 'object' && !Array.isArray(s) && Object.keys(s).join() === 'enum';

/** One schema object written the way generators read best, and the same way wherever it is. */
function normalizeNode(node: JsonObject): JsonObject {
  const {
    patternProperties,
    const: constant,
    anyOf,
    ...rest
  } = node as JsonObject & {
    patternProperties?: JsonObject;
    anyOf?: Json[];
  };
  const out: JsonObject = { ...rest };
  // A record of any key (`patternProperties: { "^.*$": X }`), as @fastify/swagger writes it.
  const keys = patternProperties ? Object.keys(patternProperties) : [];
  if (patternProperties && keys.length === 1 && keys[0] === '^.*$')
    out.additionalProperties = patternProperties['^.*$'] ?? {};
  else if (patternProperties) out.patternProperties = patternProperties;
  // A literal is a one-value enum; a union of string literals is one string enum.
  if (constant !== undefined && out.enum === undefined) out.enum = [constant];
  if (anyOf && anyOf.length > 0 && anyOf.every(isEnumOnly)) {
    const values = anyOf.flatMap((a) => a.enum);
    out.enum = values;
    if (values.every((v) => typeof v === 'string')) out.type = 'string';
  } else if (anyOf) out.anyOf = anyOf;
  if (
    Array.isArray(out.enum) &&
    out.type === undefined &&
    out.enum.every((v) => typeof v === 'string')
  )
    out.type = 'string';
  return out;
}

/** A schema (or the whole document) as JSON, every schema object normalized, children first. */
function plain(schema: unknown): Json {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) =>
    value === null || typeof value !== 'object' || Array.isArray(value)
      ? value
      : normalizeNode(value as JsonObject),
  ) as Json;
}

/** Replaces every subtree equal to a named schema with its $ref (the root itself excepted). */
function hoist(node: Json, byText: Map<string, string>, isRoot: boolean): Json {
  if (node === null || typeof node !== 'object') return node;
  if (!isRoot && !Array.isArray(node)) {
    const name = byText.get(canonical(node));
    if (name) return { $ref: `#/components/schemas/${name}` };
  }
  if (Array.isArray(node)) return node.map((n) => hoist(n, byText, false));
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, hoist(v, byText, false)]));
}

const methods = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;

interface Operation {
  operationId?: string;
  responses?: Record<string, unknown>;
  'x-errors'?: ApiErrorCode[];
  [k: string]: unknown;
}

/** The generated document, finished: named components, tags, error answers. */
export function finishDocument(openapiObject: Record<string, unknown>): Record<string, unknown> {
  const byText = new Map<string, string>();
  for (const [name, schema] of named) byText.set(canonical(plain(schema)), name);
  // The old inline error body also becomes the Error component.
  byText.set(canonical(plain(ErrorBody)), 'Error');

  const paths = openapiObject.paths as Record<string, Record<string, Operation>>;
  for (const item of Object.values(paths)) {
    for (const m of methods) {
      const op = item[m];
      if (!op) continue;
      // A route serving GET and HEAD is one object twice: HEAD gets its own copy and id.
      const own: Operation = m === 'head' ? { ...op } : op;
      if (m === 'head' && own.operationId) {
        own.operationId = `head${own.operationId[0]?.toUpperCase()}${own.operationId.slice(1)}`;
        own.summary = `Headers only: ${String(own.summary ?? '')}`;
      }
      const codes = own['x-errors'];
      if (codes) {
        own.responses = { ...own.responses, ...errorResponses(codes) };
        delete own['x-errors'];
      }
      item[m] = own;
    }
  }

  const components = (openapiObject.components ?? {}) as Record<string, unknown>;
  const schemas: Record<string, Json> = {};
  for (const [name, schema] of named) schemas[name] = hoist(plain(schema), byText, true);
  schemas.Error = plain(ErrorSchema);
  return {
    ...openapiObject,
    tags,
    paths: hoist(plain(paths), byText, true),
    components: { ...components, schemas },
  };
}
