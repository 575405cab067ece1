// Global setup of the PostgreSQL matrix (test/vitest.postgres.config.ts): one throwaway cluster
// for the run (test/team/start-postgres.sh); each test store is a fresh schema in it
// (test/helpers/test-store.ts).
import { skipNotice, startPostgres, type StartedServer } from './servers.ts';

let server: StartedServer | undefined;

export async function setup(): Promise<void> {
  const started = await startPostgres();
  if (!started.ok) throw new Error(skipNotice('PostgreSQL', started.skipReason));
  server = started.server;
  const url = server.env.PG_URL;
  if (!url) throw new Error('start-postgres.sh printed no PG_URL');
  process.env.EXPORT_MANAGER_TEST_PG_URL = url;
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
