// The typed API client: same-origin calls with the session cookie (browser tab) or the desktop key.
import type { Dataset } from '../../shared/schemas/datasets.ts';
import type { Export, ExportCreate } from '../../shared/schemas/exports.ts';
import type { ApiKey, Health, Settings } from '../../shared/schemas/system.ts';
import type { DesktopBridge } from '../../shared/ipc.ts';

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
): Promise<{ data: T; next: string | null }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const bridge = window.exportManager;
  if (bridge?.apiKey) headers.authorization = `Bearer ${bridge.apiKey}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
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

export const api = {
  health: () => call<Health>('GET', '/healthz').then((r) => r.data),
  exports: (cursor?: string) =>
    call<Export[]>(
      'GET',
      `/v1/exports?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    ),
  createExport: (body: ExportCreate) =>
    call<Export>('POST', '/v1/exports', body).then((r) => r.data),
  cancelExport: (id: string) =>
    call<Export>('POST', `/v1/exports/${id}/cancel`).then((r) => r.data),
  recreateExport: (id: string) =>
    call<Export>('POST', `/v1/exports/${id}/recreate`).then((r) => r.data),
  deleteExport: (id: string) => call<void>('DELETE', `/v1/exports/${id}`),
  datasets: () => call<Dataset[]>('GET', '/v1/datasets').then((r) => r.data),
  settings: () => call<Settings>('GET', '/v1/settings').then((r) => r.data),
  keys: () => call<ApiKey[]>('GET', '/v1/keys').then((r) => r.data),
};

/** Human words for a failure: the message, with the code for the technically minded. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) {
    if (err.status === 401)
      return 'This tab is not signed in. Open the link printed by "export-manager serve".';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
