// Loads the API's heavy packages one at a time before the engine itself, letting the event loop
// turn between them, so the early listener answers `/healthz` within one package's load time
// instead of waiting for all of them at once (loading a module graph blocks the thread until the
// whole graph has run).
// Smallest first, and a package before the ones that require it, so each step loads little.
const HEAVY_PACKAGES: readonly (() => Promise<unknown>)[] = [
  () => import('croner'),
  () => import('better-sqlite3'),
  () => import('ajv'),
  () => import('ajv-formats'),
  () => import('@fastify/static'),
  () => import('fastify'),
  () => import('@fastify/swagger'),
  () => import('undici'),
];

/**
 * Three turns of the event loop: a connection that arrived while a package loaded is accepted in
 * the first, its request read and answered in the next ones.
 */
export async function turn(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Imports the packages the API needs, one per turn of the event loop. */
export async function warmLoad(
  loaders: readonly (() => Promise<unknown>)[] = HEAVY_PACKAGES,
): Promise<void> {
  for (const load of loaders) {
    await load();
    await turn();
  }
}
