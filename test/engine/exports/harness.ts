// Engine-level rig for export tests: a FakeClock context, a tiny real SQLite dataset, the service.
import { vi } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ApiError } from '../../../shared/errors.ts';
import type { DatasetColumn } from '../../../shared/schemas/datasets.ts';
import type { Export } from '../../../shared/schemas/exports.ts';
import type { EngineConfig } from '../../../electron/engine/context.ts';
import type { DatasetDescription } from '../../../electron/engine/datasets/datasets-service.ts';
import {
  createExportsService,
  type ExportsDeps,
  type ExportsService,
} from '../../../electron/engine/exports/exports-service.ts';
import { createFileStore } from '../../../electron/engine/storage/files.ts';
import { createPresigner, type Presigner } from '../../../electron/engine/storage/presigner.ts';
import type { ExportWorkerInput } from '../../../electron/engine/exports/export-pipeline.ts';
import { makeContext, type TestContext } from '../../helpers/context.ts';

export const peopleColumns: DatasetColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'at', type: 'timestamp' },
  { name: 'name', type: 'text' },
  { name: 'score', type: 'real' },
  { name: 'active', type: 'boolean' },
  { name: 'state', type: 'text' },
];

const NAMES = [
  'plain',
  'comma, inside',
  'quote " and ""two""',
  'new\nline',
  'crlf\r\nline',
  'Zoë 東京 🚀',
  '',
  null,
];
const STATES = ['TX', 'CA', 'NY'];
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** Row i of the people dataset: every awkward value comes back every few rows. */
export function personRow(i: number): unknown[] {
  return [
    i + 1,
    new Date(T0 + i * 60_000).toISOString(),
    NAMES[i % NAMES.length] === null ? null : `${NAMES[i % NAMES.length]} #${i + 1}`,
    i % 5 === 0 ? null : (i * 37) / 8,
    i % 3 === 0 ? null : i % 2,
    STATES[i % STATES.length],
  ];
}

/** Writes a dataset file as the datasets module lays it out (one `data` table). */
export function writeRows(file: string, columns: DatasetColumn[], rows: Iterable<unknown[]>): void {
  const db = new Database(file);
  db.exec(`CREATE TABLE data (${columns.map((c) => `"${c.name}"`).join(', ')})`);
  const ins = db.prepare(`INSERT INTO data VALUES (${columns.map(() => '?').join(', ')})`);
  db.transaction(() => {
    for (const row of rows) ins.run(...row);
  })();
  db.close();
}

/** The people dataset with `rows` rows, and its time index. */
/**
 * A worker's input for a plain `SELECT "id", <column> FROM data` of a people dataset (harness rows),
 * CSV, with progress after every block; `over` changes the rest.
 */
export function peopleInput(
  datasetFile: string,
  finalPath: string,
  column: 'state' | 'name',
  over: Partial<ExportWorkerInput> = {},
): ExportWorkerInput {
  return {
    datasetFile,
    selectSql: `SELECT "id", "${column}" FROM data`,
    keysetSql: null,
    countSql: 'SELECT count(*) AS n FROM data',
    params: [],
    columns: [
      { name: 'id', type: 'integer' },
      { name: column, type: 'text' },
    ],
    format: 'csv',
    compression: 'none',
    level: 6,
    finalPath,
    maxRows: 1_000_000,
    progressMs: 0,
    ...over,
  };
}

export function writeDataset(file: string, columns: DatasetColumn[], rows: number): void {
  writeRows(
    file,
    columns,
    Array.from({ length: rows }, (_, i) => personRow(i)),
  );
  const db = new Database(file);
  db.exec('CREATE INDEX data_by_time ON data ("at")');
  db.close();
}

export interface Rig {
  readonly ctx: TestContext;
  readonly svc: ExportsService;
  readonly presigner: Presigner;
  readonly events: { name: string; exp: Export }[];
  /** Adds a dataset named `name` with `rows` people rows. */
  addDataset(name: string, rows: number): DatasetDescription;
  /** Adds a dataset with the given columns and rows (no time column). */
  addRows(name: string, columns: DatasetColumn[], rows: unknown[][]): DatasetDescription;
  waitFinal(id: string, timeoutMs?: number): Promise<Export>;
  filesOf(id: string): string[];
  /** Stops the service (as a shutdown would) and starts a new one on the same store. */
  restart(deps?: Partial<ExportsDeps>): ExportsService;
  close(): Promise<void>;
}

export function makeRig(
  config: Partial<EngineConfig> = {},
  deps: Partial<ExportsDeps> = {},
  start = true,
): Rig {
  const ctx = makeContext(config);
  const datasets = new Map<string, DatasetDescription>();
  const describe = (name: string): DatasetDescription => {
    const ds = datasets.get(name);
    if (!ds) throw new ApiError('INVALID_REQUEST', `unknown dataset "${name}"`);
    return ds;
  };
  const files = createFileStore(ctx.paths.filesDir);
  const presigner = createPresigner(ctx.paths.dataDir);
  const events: { name: string; exp: Export }[] = [];
  ctx.events.onAny((name, data) => {
    if (name.startsWith('export.') && name !== 'export.deleted')
      events.push({ name, exp: data as Export });
  });
  const make = (extra: Partial<ExportsDeps>) =>
    createExportsService(ctx, {
      datasets: { describe },
      files,
      presigner,
      progressMs: 0,
      ...deps,
      ...extra,
    });
  let svc = make({});
  if (start) svc.start();

  const rig: Rig = {
    ctx,
    get svc() {
      return svc;
    },
    presigner,
    events,
    addDataset(name, rows) {
      const file = join(ctx.paths.datasetsDir, `${name}.sqlite`);
      writeDataset(file, peopleColumns, rows);
      const ds = { file, columns: peopleColumns, timeColumn: 'at', rowCount: rows };
      datasets.set(name, ds);
      return ds;
    },
    addRows(name, columns, rows) {
      const file = join(ctx.paths.datasetsDir, `${name}.sqlite`);
      writeRows(file, columns, rows);
      const ds = { file, columns, timeColumn: null, rowCount: rows.length };
      datasets.set(name, ds);
      return ds;
    },
    async waitFinal(id, timeoutMs = 20_000) {
      return vi.waitFor(
        () => {
          const exp = svc.get(id);
          if (exp.status === 'pending' || exp.status === 'processing')
            throw new Error(`export ${id} still ${exp.status}`);
          return exp;
        },
        { timeout: timeoutMs, interval: 10 },
      );
    },
    filesOf(id) {
      const dir = join(ctx.paths.filesDir, id);
      return existsSync(dir) ? readdirSync(dir).sort() : [];
    },
    restart(extra = {}) {
      svc = make(extra);
      svc.start();
      return svc;
    },
    async close() {
      await svc.close();
      ctx.cleanup();
    },
  };
  return rig;
}
