// Provider test rig: a context on an auto-firing FakeClock, a providers service, a remote runner, job hooks.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderCreate } from '../../../shared/schemas/providers.ts';
import { createExportsRepo } from '../../../electron/engine/exports/exports-repo.ts';
import type { JobFile, JobProgress, JobSpec } from '../../../electron/engine/jobs/job-types.ts';
import { newId } from '../../../electron/engine/ids.ts';
import { createLogger } from '../../../electron/engine/logger.ts';
import {
  createProvidersService,
  type ProvidersService,
} from '../../../electron/engine/providers/providers-service.ts';
import { createRemoteJobRunner } from '../../../electron/engine/providers/remote-runner.ts';
import type { RemoteRunnerSettings } from '../../../electron/engine/providers/remote-settings.ts';
import { createKeyFileSecretBox } from '../../../electron/engine/providers/secret-box.ts';
import { makeContext, type TestContext } from '../../helpers/context.ts';
import { exportRow } from '../../helpers/export-row.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

/** Short waits (in auto-firing FakeClock time, which costs nothing) and real-time timeouts short enough for tests. */
export const fastHttp = {
  minDelayMs: 200,
  maxDelayMs: 2_000,
  maxRetries: 3,
  connectTimeoutMs: 2_000,
  headersTimeoutMs: 2_000,
  bodyTimeoutMs: 2_000,
};

export const fastRunner: Partial<RemoteRunnerSettings> = { pollMinMs: 1_000, pollMaxMs: 5_000 };

export interface Rig {
  readonly ctx: TestContext;
  readonly providers: ProvidersService;
  readonly runner: ReturnType<typeof createRemoteJobRunner>;
  readonly logs: string[];
  addProvider(body: ProviderCreate): string;
  /** The export row a provider export has (POST /v1/exports makes it; the runner expects it). */
  insertExport(id: string, providerId: string, params?: Record<string, unknown>): void;
  /** Inserts a provider export row (as POST /v1/exports would) and runs it to the end. */
  run(providerId: string, params?: Record<string, unknown>, opts?: RunOptions): Promise<RunResult>;
  close(): Promise<void>;
}

export interface RunOptions {
  readonly exportId?: string;
  readonly remoteId?: string | null;
  readonly signal?: AbortSignal;
  readonly name?: string;
  /** Sees every progress report as it happens (e.g. to move the clock at a given stage). */
  readonly onProgress?: (p: JobProgress) => void;
  /** Sees every timeline line as the job writes it. */
  readonly onNote?: (kind: string, text: string) => void;
  /** A destination folder that gets decompressed copies (destination.decompress). */
  readonly plainCopyDir?: string;
}

export interface RunResult {
  readonly exportId: string;
  readonly exportDir: string;
  readonly files?: readonly JobFile[];
  readonly error?: Error & { code?: string; details?: Record<string, unknown> };
  readonly progress: JobProgress[];
  readonly recorded: [string | null, string | null][];
  /** Timeline lines the job wrote: [kind, text]. */
  readonly notes: [string, string][];
}

export function makeRig(
  settings: {
    http?: Partial<typeof fastHttp>;
    runner?: Partial<RemoteRunnerSettings>;
    /** Real time, for a vendor that itself runs in real time (another Export Manager). */
    realClock?: boolean;
  } = {},
): Rig {
  const base = makeContext();
  const logs: string[] = [];
  const clock = settings.realClock ? FakeClock.realTimers() : FakeClock.autoFiring();
  const ctx = { ...base, clock, logger: createLogger('debug', (l) => logs.push(l)) };
  const providers = createProvidersService(ctx, {
    secrets: createKeyFileSecretBox(ctx.paths.dataDir, ctx.logger),
    http: { ...fastHttp, ...settings.http },
  });
  const runner = createRemoteJobRunner(ctx, {
    providers,
    settings: { ...fastRunner, ...settings.runner },
  });
  const repo = createExportsRepo(ctx.db);

  function insertExport(
    id: string,
    providerId: string,
    params: Record<string, unknown>,
    name: string,
  ) {
    if (repo.get(id)) return;
    const now = clock.now();
    const row = exportRow({
      id,
      name,
      status: 'processing',
      source_type: 'provider',
      dataset: null,
      provider_id: providerId,
      provider_type: 'test',
      request_json: JSON.stringify({ provider: providerId, params }),
      attempts: 1,
      created_at: now,
      started_at: now,
    });
    repo.insert(row);
  }

  return {
    ctx,
    providers,
    runner,
    logs,
    addProvider: (body) => providers.create(body).id,
    insertExport: (id, providerId, params = {}) =>
      insertExport(id, providerId, params, 'vendor leads'),
    async run(providerId, params = {}, opts = {}) {
      const exportId = opts.exportId ?? newId(clock.now());
      const name = opts.name ?? 'vendor leads';
      insertExport(exportId, providerId, params, name);
      const exportDir = join(ctx.paths.filesDir, exportId);
      mkdirSync(exportDir, { recursive: true });
      const spec: JobSpec = {
        exportId,
        name,
        format: 'csv',
        compression: 'gzip',
        compressionLevel: 6,
        providerId,
        params,
        remoteId: opts.remoteId ?? null,
        attempt: 1,
        ...(opts.plainCopyDir ? { plainCopyDir: opts.plainCopyDir } : {}),
      };
      const progress: JobProgress[] = [];
      const recorded: [string | null, string | null][] = [];
      const notes: [string, string][] = [];
      try {
        const files = await runner.run(spec, {
          signal: opts.signal ?? new AbortController().signal,
          exportDir,
          progress: (p) => {
            progress.push(p);
            opts.onProgress?.(p);
          },
          recordRemote: (id, status) => recorded.push([id, status]),
          note: (kind, text) => {
            notes.push([kind, text]);
            opts.onNote?.(kind, text);
          },
        });
        return { exportId, exportDir, files, progress, recorded, notes };
      } catch (error) {
        const err = error as RunResult['error'];
        return { exportId, exportDir, error: err, progress, recorded, notes };
      }
    },
    async close() {
      await providers.close();
      base.cleanup();
    },
  };
}
