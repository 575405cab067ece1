// createRemoteJobRunner: one provider export from create (once) to verified files in the export folder.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removePlainParts } from '../storage/plain-parts.ts';
import type { EngineContext } from '../context.ts';
import {
  JobError,
  type JobFile,
  type JobHooks,
  type JobSpec,
  type RemoteJobRunner,
} from '../jobs/job-types.ts';
import { TransportError } from './http-client.ts';
import { createFileUrlCheck } from './url-policy.ts';
import { createSlots } from './politeness.ts';
import type { ProvidersService } from './providers-service.ts';
import { RemoteJob } from './remote-job.ts';
import { defaultRemoteRunnerSettings, type RemoteRunnerSettings } from './remote-settings.ts';

export interface RemoteRunnerDeps {
  readonly providers: ProvidersService;
  readonly settings?: Partial<RemoteRunnerSettings>;
}

/** Removes what this export's attempt left in its folder (parts and unverified or orphaned files). */
function clearDir(dir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) rmSync(join(dir, n), { force: true, recursive: true });
}

export function createRemoteJobRunner(ctx: EngineContext, deps: RemoteRunnerDeps): RemoteJobRunner {
  const given: RemoteRunnerSettings = { ...defaultRemoteRunnerSettings, ...deps.settings };
  // Every file link (and redirect hop) is checked against the policy before it is fetched.
  const checkUrl = createFileUrlCheck({ scope: given.fileUrls, ownOrigin: () => ctx.baseUrl() });
  const settings: RemoteRunnerSettings = { ...given, download: { ...given.download, checkUrl } };
  const slots = createSlots();

  return {
    async run(spec: JobSpec, hooks: JobHooks): Promise<readonly JobFile[]> {
      const provider = deps.providers.connect(spec.providerId);
      if (slots.activeCount(provider.id) >= provider.maxConcurrentExports)
        hooks.progress({
          stage: `waiting: ${provider.name} already runs ${provider.maxConcurrentExports} export(s)`,
        });
      const release = await slots.acquire(
        provider.id,
        () => provider.maxConcurrentExports,
        hooks.signal,
      );
      // Files of an earlier attempt (a crash, a shutdown) are not trusted: they are fetched again;
      // its hidden decompressed parts in the destination folder go too.
      clearDir(hooks.exportDir);
      if (spec.plainCopyDir) removePlainParts(spec.plainCopyDir, spec.exportId);
      try {
        const job = new RemoteJob(ctx, provider, deps.providers.repo, spec, hooks, settings);
        return await job.run();
      } catch (err) {
        if (hooks.signal.aborted) throw err;
        // Nothing half-written stays behind a failed export.
        clearDir(hooks.exportDir);
        if (err instanceof TransportError)
          throw new JobError('PROVIDER_ERROR', err.message, { transport_error: err.code });
        throw err;
      } finally {
        release();
      }
    },
  };
}
