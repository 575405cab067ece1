// The declarative vendor description (like Airbyte's AsyncRetriever): requests, status map, JSON paths.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { ApiError } from '../../../../shared/errors.ts';
import { remoteStatuses } from '../remote-export.ts';
import { isValidPath } from './json-path.ts';

/**
 * A path template relative to the provider's base_url. Placeholders: {id} (the vendor's export
 * id), {index} (file number, from 0), {options.NAME} and {params.NAME}.
 */
const PathTemplate = Type.String({ minLength: 1, maxLength: 1000, pattern: '^/' });
const JsonPath = Type.String({ maxLength: 300 });

export const GenericConfigSchema = Type.Object(
  {
    create: Type.Object(
      {
        method: Type.Optional(Type.Enum(['POST', 'PUT'])),
        path: PathTemplate,
        /** Another path when a param has a given value (DealMachine: type=people). */
        path_by_param: Type.Optional(
          Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 100 }),
              paths: Type.Record(Type.String(), PathTemplate),
            },
            { additionalProperties: false },
          ),
        ),
        /** Params sent as the JSON body, minus these keys (used only to pick the path). */
        omit_params: Type.Optional(Type.Array(Type.String(), { maxItems: 50 })),
      },
      { additionalProperties: false },
    ),
    poll: Type.Object({ path: PathTemplate }, { additionalProperties: false }),
    /** An authenticated URL answering with the file (or a redirect to it), for files without a link. */
    download: Type.Optional(Type.Object({ path: PathTemplate }, { additionalProperties: false })),
    /** The connection test; default: GET the poll path for an id that cannot exist (404 = reachable). */
    test: Type.Optional(Type.Object({ path: PathTemplate }, { additionalProperties: false })),
    /** Where the export object sits in create and poll answers ('' = the whole body). */
    root: Type.Optional(JsonPath),
    /** Vendor status (case-insensitive) -> ours; an unlisted status counts as processing. */
    statuses: Type.Record(Type.String(), Type.Enum(remoteStatuses)),
    /** Poll answers with these HTTP statuses mean the vendor export has expired (DataDriver: 410). */
    expired_http_statuses: Type.Optional(Type.Array(Type.Integer({ minimum: 400, maximum: 599 }))),
    /** Vendor progress is a fraction (0..1) instead of a percentage. */
    progress_is_fraction: Type.Optional(Type.Boolean()),
    paths: Type.Object(
      {
        id: JsonPath,
        status: JsonPath,
        progress: Type.Optional(JsonPath),
        stage: Type.Optional(JsonPath),
        /** An array of file objects (or of URL strings). */
        files: Type.Optional(JsonPath),
        /** Inside each file object. */
        file: Type.Optional(
          Type.Object(
            {
              url: Type.Optional(JsonPath),
              filename: Type.Optional(JsonPath),
              size: Type.Optional(JsonPath),
              row_count: Type.Optional(JsonPath),
              sha256: Type.Optional(JsonPath),
            },
            { additionalProperties: false },
          ),
        ),
        /** Single-file vendors. */
        url: Type.Optional(JsonPath),
        filename: Type.Optional(JsonPath),
        size: Type.Optional(JsonPath),
        row_count: Type.Optional(JsonPath),
        expires_at: Type.Optional(JsonPath),
        url_expires_at: Type.Optional(JsonPath),
        /** A string (the message) or an object with code and message. */
        error: Type.Optional(JsonPath),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type GenericConfig = Static<typeof GenericConfigSchema>;

function collectPaths(c: GenericConfig): string[] {
  const p = c.paths;
  return [
    c.root,
    ...Object.values(p).filter((v): v is string => typeof v === 'string'),
    ...Object.values(p.file ?? {}),
  ].filter((v): v is string => v !== undefined);
}

/** Validates a user's generic config (provider options.config); 400 naming the first problem. */
export function parseGenericConfig(raw: unknown): GenericConfig {
  if (!Value.Check(GenericConfigSchema, raw)) {
    const first = [...Value.Errors(GenericConfigSchema, raw)][0];
    throw new ApiError(
      'INVALID_REQUEST',
      `options.config${first?.instancePath.replaceAll('/', '.') ?? ''} ${first?.message ?? 'is invalid'}.`,
      { errors: [...Value.Errors(GenericConfigSchema, raw)].slice(0, 10) },
    );
  }
  const config = raw as GenericConfig;
  const bad = collectPaths(config).find((p) => !isValidPath(p));
  if (bad !== undefined)
    throw new ApiError('INVALID_REQUEST', `options.config has an unreadable JSON path "${bad}".`);
  if (!config.paths.files && !config.paths.url && !config.download)
    throw new ApiError(
      'INVALID_REQUEST',
      'options.config needs a way to the files: paths.files, paths.url or download.path.',
    );
  return config;
}
