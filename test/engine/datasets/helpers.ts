// Helpers for dataset tests: a service on a fresh context, waiting for imports, reading rows.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Dataset } from '../../../shared/schemas/datasets.ts';
import {
  createDatasetsService,
  type DatasetsDeps,
  type DatasetsService,
} from '../../../electron/engine/datasets/datasets-service.ts';
import { makeContext, type TestContext } from '../../helpers/context.ts';

export interface Harness {
  readonly ctx: TestContext;
  readonly svc: DatasetsService;
  /** Every dataset.updated event, in order. */
  readonly events: Dataset[];
  /** Writes a file into the test's data folder and returns its absolute path. */
  file(name: string, content: string | Buffer): string;
  cleanup(): Promise<void>;
}

export function harness(deps: DatasetsDeps = {}): Harness {
  const ctx = makeContext();
  const svc = createDatasetsService(ctx, { progressIntervalMs: 0, ...deps });
  const events: Dataset[] = [];
  ctx.events.on('dataset.updated', (d) => events.push(d));
  return {
    ctx,
    svc,
    events,
    file(name, content) {
      const path = join(ctx.paths.dataDir, name);
      writeFileSync(path, content);
      return path;
    },
    async cleanup() {
      await svc.close();
      ctx.cleanup();
    },
  };
}

/** Resolves with the dataset once its import has ended (ready or failed). */
export function settled(h: Harness, name: string): Promise<Dataset> {
  return new Promise((resolve) => {
    const check = () => {
      const d = h.svc.list().find((x) => x.name === name);
      if (d && d.status !== 'importing') {
        off();
        resolve(d);
      }
    };
    const off = h.ctx.events.on('dataset.updated', check);
    check();
  });
}

/** Imports content as a dataset and waits for the outcome. */
export async function importText(
  h: Harness,
  name: string,
  content: string | Buffer,
  extra: { time_column?: string; fileName?: string } = {},
): Promise<Dataset> {
  const path = h.file(extra.fileName ?? `${name}.input`, content);
  h.svc.create({ name, path, time_column: extra.time_column });
  return settled(h, name);
}

/** All rows of a ready dataset, in file order, as objects. */
export function rowsOf(h: Harness, name: string): Record<string, unknown>[] {
  const { file } = h.svc.describe(name);
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM data ORDER BY rowid').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Storage classes per column, to check what SQLite really holds. */
export function storageOf(h: Harness, name: string, column: string): string[] {
  const { file } = h.svc.describe(name);
  const db = new Database(file, { readonly: true });
  try {
    const sql = `SELECT DISTINCT typeof("${column}") AS t FROM data ORDER BY t`;
    return (db.prepare(sql).all() as { t: string }[]).map((r) => r.t);
  } finally {
    db.close();
  }
}
