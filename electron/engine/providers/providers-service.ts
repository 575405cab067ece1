// The providers service behind /v1/providers: CRUD, sealed write-only credentials, connection test.
import { ApiError } from '../../../shared/errors.ts';
import type {
  Provider,
  ProviderCreate,
  ProviderTestResult,
  ProviderType,
  ProviderUpdate,
} from '../../../shared/schemas/providers.ts';
import { providerTypes } from '../../../shared/schemas/providers.ts';
import { iso } from '../clock.ts';
import type { EngineContext } from '../context.ts';
import { JobError } from '../jobs/job-types.ts';
import { isUuid, newId } from '../ids.ts';
import { createAdapter, validateOptions } from './adapters/index.ts';
import {
  createHttpClient,
  defaultHttpSettings,
  type HttpClient,
  type HttpSettings,
} from './http-client.ts';
import { createProvidersRepo, type ProviderRow } from './providers-repo.ts';
import type { ProviderAdapter } from './remote-export.ts';
import type { SecretBox } from './secret-box.ts';

export const DEFAULT_MAX_CONCURRENT_EXPORTS = 2;
export const DEFAULT_REQUESTS_PER_SECOND = 5;

export interface ProvidersDeps {
  readonly secrets: SecretBox;
  /** Timeouts, retries and backoff of the vendor client (tests shorten them). */
  readonly http?: Partial<HttpSettings>;
  /** Longest a connection test keeps its caller waiting, in real time (default 15 s). */
  readonly testDeadlineMs?: number;
}

/** What the remote runner needs of a provider: its settings, its adapter and its client. */
export interface ProviderHandle {
  readonly id: string;
  readonly name: string;
  readonly type: ProviderType;
  readonly baseUrl: string;
  readonly options: Record<string, unknown>;
  readonly maxConcurrentExports: number;
  readonly adapter: ProviderAdapter;
  readonly http: HttpClient;
}

/** A credential travels in an HTTP header: printable ASCII only, or the request cannot be sent. */
function checkCredential(credential: string | undefined): void {
  if (credential !== undefined && !/^[\x20-\x7e]+$/.test(credential))
    throw new ApiError(
      'INVALID_REQUEST',
      'credential may hold printable ASCII characters only (it is sent in an HTTP header); check for a stray accent, emoji or line break.',
      { field: 'credential' },
    );
}

/** http(s) only, no credentials or query in it, no trailing slash. */
export function normalizeBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new ApiError('INVALID_REQUEST', `base_url "${raw.slice(0, 200)}" is not a URL.`, {
      field: 'base_url',
    });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ApiError('INVALID_REQUEST', 'base_url must be an http or https URL.', {
      field: 'base_url',
    });
  if (u.username || u.password)
    throw new ApiError(
      'INVALID_REQUEST',
      'base_url must not carry a user or password; put the key in "credential".',
      { field: 'base_url' },
    );
  if (u.search || u.hash)
    throw new ApiError('INVALID_REQUEST', 'base_url must not have a query string or fragment.', {
      field: 'base_url',
    });
  return (u.origin + u.pathname).replace(/\/+$/, '');
}

export function createProvidersService(ctx: EngineContext, deps: ProvidersDeps) {
  const { clock, logger } = ctx;
  const repo = createProvidersRepo(ctx.db);
  const httpSettings: HttpSettings = { ...defaultHttpSettings, ...deps.http };
  // One client (connection pool, rate bucket) per provider version; replaced when it is edited.
  const clients = new Map<string, { version: number; client: HttpClient }>();

  function toApi(row: ProviderRow): Provider {
    return {
      id: row.id,
      name: row.name,
      type: row.type as ProviderType,
      base_url: row.base_url,
      options: JSON.parse(row.options_json) as Record<string, unknown>,
      has_credential: row.credential_sealed !== null,
      max_concurrent_exports: row.max_concurrent_exports,
      requests_per_second: row.requests_per_second,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  function mustGet(id: string): ProviderRow {
    if (!isUuid(id))
      throw new ApiError('INVALID_REQUEST', `"${id.slice(0, 80)}" is not a provider id.`);
    const row = repo.get(id);
    if (!row) throw new ApiError('NOT_FOUND', `No provider with id ${id}.`);
    return row;
  }

  function checkType(type: string): ProviderType {
    if (!(providerTypes as readonly string[]).includes(type))
      throw new ApiError('INVALID_REQUEST', `Unknown provider type "${type}".`, {
        field: 'type',
      });
    return type as ProviderType;
  }

  function dropClient(id: string): void {
    const c = clients.get(id);
    clients.delete(id);
    // In-flight requests finish first: close() waits for them.
    c?.client.close().catch(() => undefined);
  }

  function clientFor(row: ProviderRow, credential: string | null): HttpClient {
    const cached = clients.get(row.id);
    if (cached && cached.version === row.updated_at) return cached.client;
    if (cached) dropClient(row.id);
    const rps = row.requests_per_second;
    const client = createHttpClient(
      { clock, logger },
      { origin: new URL(row.base_url).origin, credential, requestsPerSecond: () => rps },
      httpSettings,
    );
    clients.set(row.id, { version: row.updated_at, client });
    return client;
  }

  function credentialOf(row: ProviderRow): string | null {
    if (row.credential_sealed === null) return null;
    try {
      return deps.secrets.decrypt(row.credential_sealed);
    } catch {
      throw new JobError(
        'PROVIDER_UNAUTHORIZED',
        `The credential of provider "${row.name}" cannot be unsealed here (it was sealed by ${row.credential_kind ?? 'another key'}). Enter it again.`,
      );
    }
  }

  function handleOf(row: ProviderRow): ProviderHandle {
    const http = clientFor(row, credentialOf(row));
    const type = row.type as ProviderType;
    const options = JSON.parse(row.options_json) as Record<string, unknown>;
    return {
      id: row.id,
      name: row.name,
      type,
      baseUrl: row.base_url,
      options,
      maxConcurrentExports: row.max_concurrent_exports,
      adapter: createAdapter({ type, name: row.name, baseUrl: row.base_url, options }, http, () =>
        clock.now(),
      ),
      http,
    };
  }

  return {
    list: (): Provider[] => repo.list().map(toApi),
    get: (id: string): Provider => toApi(mustGet(id)),

    create(body: ProviderCreate): Provider {
      const type = checkType(body.type);
      checkCredential(body.credential);
      const now = clock.now();
      const row: ProviderRow = {
        id: newId(now),
        name: body.name,
        type,
        base_url: normalizeBaseUrl(body.base_url),
        options_json: JSON.stringify(validateOptions(type, body.options ?? {})),
        credential_sealed: body.credential ? deps.secrets.encrypt(body.credential) : null,
        credential_kind: body.credential ? deps.secrets.kind : null,
        max_concurrent_exports: body.max_concurrent_exports ?? DEFAULT_MAX_CONCURRENT_EXPORTS,
        requests_per_second: body.requests_per_second ?? DEFAULT_REQUESTS_PER_SECOND,
        created_at: now,
        updated_at: now,
      };
      repo.insert(row);
      logger.info('provider added', { id: row.id, type, base_url: row.base_url });
      return toApi(row);
    },

    update(id: string, body: ProviderUpdate): Provider {
      const row = mustGet(id);
      checkCredential(body.credential);
      const type = checkType(body.type ?? row.type);
      const options = body.options ?? (JSON.parse(row.options_json) as Record<string, unknown>);
      const fields: Partial<ProviderRow> = {
        // Strictly increasing, so the cached client is replaced even within one millisecond.
        updated_at: Math.max(clock.now(), row.updated_at + 1),
      };
      if (body.name !== undefined) fields.name = body.name;
      if (body.type !== undefined) fields.type = type;
      if (body.base_url !== undefined) fields.base_url = normalizeBaseUrl(body.base_url);
      if (body.options !== undefined || body.type !== undefined)
        fields.options_json = JSON.stringify(validateOptions(type, options));
      if (body.credential !== undefined) {
        fields.credential_sealed = deps.secrets.encrypt(body.credential);
        fields.credential_kind = deps.secrets.kind;
      }
      if (body.max_concurrent_exports !== undefined)
        fields.max_concurrent_exports = body.max_concurrent_exports;
      if (body.requests_per_second !== undefined)
        fields.requests_per_second = body.requests_per_second;
      repo.update(id, fields);
      dropClient(id);
      return toApi(mustGet(id));
    },

    delete(id: string): void {
      mustGet(id);
      const busy = repo.removeUnlessBusy(id);
      if (busy > 0)
        throw new ApiError(
          'CONFLICT',
          `${busy} export(s) of this provider are still pending or running; cancel them or wait.`,
        );
      dropClient(id);
    },

    /**
     * One request, no retry, answered within TEST_DEADLINE_MS whatever happens: a low
     * requests-per-second limit could otherwise hold the request back for minutes.
     */
    async test(id: string): Promise<ProviderTestResult> {
      const row = mustGet(id);
      const started = clock.now();
      const abort = new AbortController();
      const deadlineMs = deps.testDeadlineMs ?? 15_000;
      let timer: NodeJS.Timeout | undefined;
      // Wall time, not the engine clock: this bounds how long a person (or script) waits.
      const deadline = new Promise<ProviderTestResult>((resolve) => {
        timer = setTimeout(() => {
          abort.abort(new Error('connection test deadline'));
          resolve({
            ok: false,
            status: null,
            message: `No answer within ${deadlineMs / 1000} s. This provider allows ${row.requests_per_second} requests per second, so the test may be waiting its turn; try again later or raise the limit.`,
            latency_ms: clock.now() - started,
          });
        }, deadlineMs);
      });
      const attempt = handleOf(row)
        .adapter.test(abort.signal)
        .then(
          (result) => ({ ...result, latency_ms: clock.now() - started }),
          (err: unknown) => {
            if (!(err instanceof JobError)) throw err;
            return {
              ok: false,
              status: null,
              message: err.message,
              latency_ms: clock.now() - started,
            };
          },
        );
      try {
        return await Promise.race([attempt, deadline]);
      } finally {
        clearTimeout(timer);
        // The request may still be waiting for its turn; once aborted it ends quietly.
        attempt.catch(() => undefined);
      }
    },

    /** For POST /v1/exports: the provider's type and name; 400 when there is no such provider. */
    describe(id: string): { type: string; name: string } {
      const row = isUuid(id) ? repo.get(id) : null;
      if (!row)
        throw new ApiError('INVALID_REQUEST', `Unknown provider "${id.slice(0, 80)}".`, {
          field: 'provider',
        });
      return { type: row.type, name: row.name };
    },

    /** For the remote runner: the provider ready to talk to, or a JobError saying why not. */
    connect(id: string | null): ProviderHandle {
      const row = id ? repo.get(id) : null;
      if (!row)
        throw new JobError('PROVIDER_ERROR', 'The provider of this export was deleted.', {
          provider_id: id,
        });
      return handleOf(row);
    },

    repo,

    async close(): Promise<void> {
      const all = [...clients.values()];
      clients.clear();
      await Promise.all(all.map((c) => c.client.close().catch(() => undefined)));
    },
  };
}

export type ProvidersService = ReturnType<typeof createProvidersService>;
