// The typed API client: same-origin calls with the session cookie (browser tab) or the desktop key.
import type {
  ColumnValues,
  Dataset,
  DatasetCount,
  DatasetCountRequest,
  DatasetCreate,
} from '../../shared/schemas/datasets.ts';
import type {
  Export,
  ExportCounts,
  ExportCreate,
  ExportSave,
} from '../../shared/schemas/exports.ts';
import type {
  Provider,
  ProviderCreate,
  ProviderTestResult,
  ProviderUpdate,
} from '../../shared/schemas/providers.ts';
import type {
  Schedule,
  ScheduleCreate,
  SchedulePreview,
  ScheduleRun,
  ScheduleUpdate,
} from '../../shared/schemas/schedules.ts';
import type { ApiKey, Health, Settings, SettingsUpdate } from '../../shared/schemas/system.ts';
import type { DesktopBridge } from '../../shared/ipc.ts';
import { apiUrl, currentEngine } from './team-engine.ts';

declare global {
  interface Window {
    exportManager?: DesktopBridge;
  }
}

export class ApiFailure extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;
  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<{ data: T; next: string | null }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const bridge = window.exportManager;
  if (bridge?.apiKey) headers.authorization = `Bearer ${bridge.apiKey}`;
  let res: Response;
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiFailure(0, 'OFFLINE', 'Export Manager is not answering. Is it still running?');
  }
  if (res.status === 204) return { data: undefined as T, next: null };
  const json = (await res.json().catch(() => null)) as {
    data?: T;
    meta?: { next_cursor?: string | null };
    error?: { code: string; message: string; details?: Record<string, unknown> };
  } | null;
  if (!res.ok || !json || json.error) {
    const e = json?.error;
    throw new ApiFailure(
      res.status,
      e?.code ?? 'INTERNAL',
      e?.message ?? `The server answered ${res.status}.`,
      e?.details,
    );
  }
  return { data: json.data as T, next: json.meta?.next_cursor ?? null };
}

const data = <T>(method: string, path: string, body?: unknown) =>
  call<T>(method, path, body).then((r) => r.data);
const enc = encodeURIComponent;

export const api = {
  health: () => data<Health>('GET', '/healthz'),

  exports: (cursor?: string, limit = 1000) =>
    call<Export[]>('GET', `/v1/exports?limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  /** One page of the list: `params` are the list's query parameters (status, source, q, sort). */
  listExports: (params: URLSearchParams, cursor?: string | null, limit = 100) => {
    const qs = new URLSearchParams(params);
    qs.set('limit', String(limit));
    if (cursor) qs.set('cursor', cursor);
    return call<Export[]>('GET', `/v1/exports?${qs.toString()}`);
  },
  exportCounts: (params?: URLSearchParams) =>
    data<ExportCounts>('GET', `/v1/exports/counts${params ? `?${params.toString()}` : ''}`),
  getExport: (id: string) => data<Export>('GET', `/v1/exports/${enc(id)}`),
  createExport: (body: ExportCreate) => data<Export>('POST', '/v1/exports', body),
  cancelExport: (id: string) => data<Export>('POST', `/v1/exports/${enc(id)}/cancel`),
  recreateExport: (id: string) => data<Export>('POST', `/v1/exports/${enc(id)}/recreate`),
  deleteExport: (id: string) => data<void>('DELETE', `/v1/exports/${enc(id)}`),
  saveExport: (id: string, body: ExportSave) =>
    data<{ path: string }>('POST', `/v1/exports/${enc(id)}/save`, body),

  datasets: () => data<Dataset[]>('GET', '/v1/datasets'),
  importDataset: (body: DatasetCreate) => data<Dataset>('POST', '/v1/datasets', body),
  deleteDataset: (name: string) => data<void>('DELETE', `/v1/datasets/${enc(name)}`),
  /** The most frequent values of a column whose text starts with `prefix`. */
  columnValues: (
    name: string,
    column: string,
    prefix: string,
    limit: number,
    signal?: AbortSignal,
  ) =>
    call<ColumnValues>(
      'GET',
      `/v1/datasets/${enc(name)}/columns/${enc(column)}/values?${new URLSearchParams({ prefix, limit: String(limit) }).toString()}`,
      undefined,
      signal,
    ).then((r) => r.data),
  /** The rows an export of this dataset with this filter would write. */
  countRows: (name: string, filter: DatasetCountRequest['filter'], signal?: AbortSignal) =>
    call<DatasetCount>(
      'POST',
      `/v1/datasets/${enc(name)}/count`,
      { filter: filter ?? null },
      signal,
    ).then((r) => r.data),

  providers: () => data<Provider[]>('GET', '/v1/providers'),
  createProvider: (body: ProviderCreate) => data<Provider>('POST', '/v1/providers', body),
  updateProvider: (id: string, body: ProviderUpdate) =>
    data<Provider>('PATCH', `/v1/providers/${enc(id)}`, body),
  deleteProvider: (id: string) => data<void>('DELETE', `/v1/providers/${enc(id)}`),
  testProvider: (id: string) => data<ProviderTestResult>('POST', `/v1/providers/${enc(id)}/test`),

  schedules: () => data<Schedule[]>('GET', '/v1/schedules'),
  createSchedule: (body: ScheduleCreate) => data<Schedule>('POST', '/v1/schedules', body),
  updateSchedule: (id: string, body: ScheduleUpdate) =>
    data<Schedule>('PATCH', `/v1/schedules/${enc(id)}`, body),
  deleteSchedule: (id: string) => data<void>('DELETE', `/v1/schedules/${enc(id)}`),
  runSchedule: (id: string) => data<Schedule>('POST', `/v1/schedules/${enc(id)}/run`),
  /** One page of a schedule's runs, newest first; `next` is the cursor of the older page. */
  scheduleRuns: (id: string, cursor?: string | null, limit = 50) =>
    call<ScheduleRun[]>(
      'GET',
      `/v1/schedules/${enc(id)}/runs?limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`,
    ),
  previewSchedule: (q: { cron?: string; timezone?: string; every_seconds?: number }) => {
    const params = new URLSearchParams({ count: '5' });
    if (q.cron) params.set('cron', q.cron);
    if (q.timezone) params.set('timezone', q.timezone);
    if (q.every_seconds) params.set('every_seconds', String(q.every_seconds));
    return data<SchedulePreview>('GET', `/v1/schedules/preview?${params.toString()}`);
  },

  settings: () => data<Settings>('GET', '/v1/settings'),
  updateSettings: (body: SettingsUpdate) => data<Settings>('PATCH', '/v1/settings', body),
  keys: () => data<ApiKey[]>('GET', '/v1/keys'),
  createKey: (name: string) => data<ApiKey>('POST', '/v1/keys', { name }),
  revokeKey: (id: string) => data<void>('DELETE', `/v1/keys/${enc(id)}`),
};

/** Human words for a failure: the message, with the code for the technically minded. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) {
    if (err.status === 401) {
      const engine = currentEngine();
      if (engine.kind === 'team')
        return `The team engine at ${engine.host} refused this app’s API key. Enter a new one in Settings → Team engine.`;
      return 'This tab is not signed in. Open the link printed by "export-manager serve".';
    }
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
