// The storage an engine process was told to use (`--storage`, EXPORT_MANAGER_STORAGE), checked
// before the engine starts: a bucket that is missing or refuses the credentials stops the start
// with the reason, instead of failing every export later.
import type { ExportStorage } from './export-storage.ts';
import { parseStorageUrl } from './storage-url.ts';

/** undefined: the data folder (the engine's default). */
export async function openStorage(
  url: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<ExportStorage | undefined> {
  const spec = parseStorageUrl(url);
  if (spec.kind === 'local') return undefined;
  const key = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  // The AWS SDK loads only when a bucket is asked for: a plain start stays quick.
  const { createS3Storage } = await import('./s3-storage.ts');
  const storage = createS3Storage({
    ...spec,
    ...(key && secret ? { credentials: { accessKeyId: key, secretAccessKey: secret } } : {}),
  });
  const health = await storage.check();
  if (!health.ok) {
    storage.close();
    throw new Error(`The storage ${storage.location} cannot be used: ${health.message ?? ''}`);
  }
  return storage;
}
