// After a compiler-free install: the engine opens (and migrates) a database in a fresh data folder
// with better-sqlite3's prebuilt binary, then reads it back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../electron/engine/engine.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'em-install-'));
try {
  const engine = createEngine({ dataDir, demoRows: 10 });
  await engine.start();
  const datasets = engine.datasets.list();
  await engine.close();
  console.log(
    `engine opened ${join(dataDir, 'export-manager.sqlite')} with Node ${process.versions.node}: ${datasets.length} dataset(s)`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
