// The declarative adapter: turns a GenericConfig into create/get/test calls and RemoteExport views.
import { JobError } from '../../jobs/job-types.ts';
import { TransportError, type HttpClient, type JsonResponse } from '../http-client.ts';
import type {
  ProviderAdapter,
  RemoteError,
  RemoteExport,
  RemoteFile,
  RemoteStatus,
} from '../remote-export.ts';
import type { GenericConfig } from './generic-config.ts';
import { asNumber, asString, asTime, readPath } from './json-path.ts';
import { capNullable, capText, VENDOR_EXCERPT } from '../../text-cap.ts';

export interface AdapterEnv {
  /** The vendor's API root, without a trailing slash. */
  readonly baseUrl: string;
  readonly options: Record<string, unknown>;
  readonly http: HttpClient;
  /** Vendor name for messages ("DataDriver"). */
  readonly label: string;
  now(): number;
}

/** An id no vendor has: the connection test reads it and expects 404 (reachable, key accepted). */
const PROBE_ID = '00000000-0000-4000-8000-000000000000';

interface Vars {
  readonly id?: string;
  readonly index?: number;
  readonly options: Record<string, unknown>;
  readonly params?: Record<string, unknown>;
}

export function fillTemplate(template: string, vars: Vars): string {
  return template.replace(
    /\{(id|index|options|params)(?:\.([A-Za-z0-9_-]+))?\}/g,
    (m, scope, name) => {
      const value =
        scope === 'id'
          ? vars.id
          : scope === 'index'
            ? vars.index
            : scope === 'options'
              ? vars.options[name as string]
              : vars.params?.[name as string];
      if (value === undefined || value === null || value === '' || typeof value === 'object')
        throw new JobError('PROVIDER_ERROR', `The request path needs ${m}, which is not set.`);
      return encodeURIComponent(String(value));
    },
  );
}

/** The vendor's own error code and message out of the usual error bodies. */
export function vendorError(body: unknown): RemoteError {
  const e = readVendorError(body);
  return { code: capNullable(e.code, 200), message: capNullable(e.message) };
}

function readVendorError(body: unknown): RemoteError {
  if (typeof body === 'string') return { code: null, message: body.slice(0, 500) || null };
  if (!body || typeof body !== 'object') return { code: null, message: null };
  const b = body as Record<string, unknown>;
  const e = b.error;
  if (typeof e === 'string') return { code: asString(b.code), message: e };
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    return { code: asString(o.code), message: asString(o.message) ?? asString(o.detail) };
  }
  return { code: asString(b.code), message: asString(b.message) ?? asString(b.detail) };
}

function errorDetails(res: JsonResponse): Record<string, unknown> {
  const e = vendorError(res.body);
  return { http_status: res.status, vendor_code: e.code, vendor_message: e.message };
}

export function createGenericAdapter(config: GenericConfig, env: AdapterEnv): ProviderAdapter {
  const statusMap = new Map(
    Object.entries(config.statuses).map(([k, v]) => [k.toLowerCase(), v] as const),
  );
  const url = (path: string) => env.baseUrl + path;

  async function call(
    what: string,
    req: { method?: 'GET' | 'POST' | 'PUT'; path: string; body?: string; key?: string },
    signal: AbortSignal,
  ): Promise<JsonResponse> {
    let res: JsonResponse;
    try {
      res = await env.http.json({
        method: req.method ?? 'GET',
        url: url(req.path),
        ...(req.body !== undefined ? { body: req.body } : {}),
        ...(req.key ? { headers: { 'idempotency-key': req.key } } : {}),
        signal,
      });
    } catch (err) {
      if (err instanceof TransportError)
        throw new JobError('PROVIDER_ERROR', `${env.label}: ${err.message}`, {
          transport_error: err.code,
        });
      throw err;
    }
    if (res.status === 401 || res.status === 403) {
      throw new JobError(
        'PROVIDER_UNAUTHORIZED',
        `${env.label} refused the credential (HTTP ${res.status}) while trying to ${what}. Update the provider's credential.`,
        errorDetails(res),
      );
    }
    return res;
  }

  function failHttp(what: string, res: JsonResponse): never {
    const e = vendorError(res.body);
    throw new JobError(
      'PROVIDER_ERROR',
      `${env.label} answered HTTP ${res.status} while trying to ${what}${e.message ? `: ${capText(e.message, VENDOR_EXCERPT)}` : '.'}`,
      errorDetails(res),
    );
  }

  function mapStatus(raw: string | null): RemoteStatus {
    if (raw === null) return 'pending';
    return statusMap.get(raw.toLowerCase()) ?? 'processing';
  }

  function readFiles(root: unknown, id: string): RemoteFile[] {
    const p = config.paths;
    const abs = (u: string) => new URL(u, env.baseUrl + '/').href;
    const viaTemplate = (index: number) =>
      config.download
        ? url(fillTemplate(config.download.path, { id, index, options: env.options }))
        : null;
    const files: RemoteFile[] = [];
    const list = p.files ? readPath(root, p.files) : undefined;
    if (Array.isArray(list)) {
      list.forEach((item: unknown, index) => {
        const link = typeof item === 'string' ? item : asString(readPath(item, p.file?.url));
        const fileUrl = link ? abs(link) : viaTemplate(index);
        if (!fileUrl) return;
        files.push({
          url: fileUrl,
          filename: asString(readPath(item, p.file?.filename)),
          size: asNumber(readPath(item, p.file?.size)),
          rowCount: asNumber(readPath(item, p.file?.row_count)),
          sha256: asString(readPath(item, p.file?.sha256)),
        });
      });
      return files;
    }
    const single = asString(readPath(root, p.url));
    const fileUrl = single ? abs(single) : viaTemplate(0);
    if (fileUrl)
      files.push({
        url: fileUrl,
        filename: asString(readPath(root, p.filename)),
        size: asNumber(readPath(root, p.size)),
        rowCount: null,
        sha256: null,
      });
    return files;
  }

  function toRemote(body: unknown, knownId?: string): RemoteExport {
    const root = readPath(body, config.root ?? '');
    const p = config.paths;
    const id = asString(readPath(root, p.id)) ?? knownId;
    if (!id)
      throw new JobError('PROVIDER_ERROR', `${env.label} answered without an export id.`, {
        vendor_body: typeof body === 'string' ? body.slice(0, 200) : null,
      });
    const rawStatus = asString(readPath(root, p.status));
    let status = mapStatus(rawStatus);
    const expiresAt = asTime(readPath(root, p.expires_at));
    const files = status === 'completed' ? readFiles(root, id) : [];
    // A completed export past its expiry, or listing no file, has nothing left to download.
    if (status === 'completed' && ((expiresAt !== null && expiresAt <= env.now()) || !files.length))
      status = 'expired';
    let progress = asNumber(readPath(root, p.progress));
    if (progress !== null && config.progress_is_fraction) progress *= 100;
    const errVal = readPath(root, p.error);
    const error =
      errVal === undefined || errVal === null || errVal === ''
        ? null
        : vendorError({ error: errVal });
    return {
      id,
      status,
      rawStatus: capNullable(rawStatus, 200),
      progressPct: progress === null ? null : Math.max(0, Math.min(100, progress)),
      stage: capNullable(asString(readPath(root, p.stage)), 500),
      files,
      rowCount: asNumber(readPath(root, p.row_count)),
      expiresAt,
      urlExpiresAt: asTime(readPath(root, p.url_expires_at)),
      error,
    };
  }

  return {
    async create(params, key, signal) {
      const byParam = config.create.path_by_param;
      const chosen = byParam ? byParam.paths[String(params[byParam.name])] : undefined;
      const path = fillTemplate(chosen ?? config.create.path, { params, options: env.options });
      const body = { ...params };
      for (const k of config.create.omit_params ?? []) delete body[k];
      const res = await call(
        'create the export',
        { method: config.create.method ?? 'POST', path, body: JSON.stringify(body), key },
        signal,
      );
      if (res.status < 200 || res.status > 299) failHttp('create the export', res);
      return toRemote(res.body);
    },

    async get(remoteId, signal) {
      const path = fillTemplate(config.poll.path, { id: remoteId, options: env.options });
      const res = await call(`read export ${remoteId}`, { path }, signal);
      if (config.expired_http_statuses?.includes(res.status)) {
        return {
          id: remoteId,
          status: 'expired',
          rawStatus: `http ${res.status}`,
          progressPct: null,
          stage: null,
          files: [],
          rowCount: null,
          expiresAt: null,
          urlExpiresAt: null,
          error: vendorError(res.body),
        };
      }
      if (res.status < 200 || res.status > 299) failHttp(`read export ${remoteId}`, res);
      return toRemote(res.body, remoteId);
    },

    async test(signal) {
      try {
        const path = config.test
          ? fillTemplate(config.test.path, { options: env.options })
          : fillTemplate(config.poll.path, { id: PROBE_ID, options: env.options });
        const res = await env.http.json({ url: url(path), retry: false, signal });
        const e = vendorError(res.body);
        if ((res.status >= 200 && res.status < 300) || res.status === 404)
          return {
            ok: true,
            status: res.status,
            message: `${env.label} answered and accepted the credential.`,
          };
        if (res.status === 401 || res.status === 403)
          return {
            ok: false,
            status: res.status,
            message: `${env.label} refused the credential${e.message ? `: ${e.message}` : '.'}`,
          };
        return {
          ok: false,
          status: res.status,
          message: `${env.label} answered HTTP ${res.status}${e.message ? `: ${e.message}` : '.'}`,
        };
      } catch (err) {
        if (err instanceof TransportError || err instanceof JobError)
          return { ok: false, status: null, message: err.message };
        throw err;
      }
    },
  };
}
