// `export-manager doctor`: a full integrity_check of the job store, and with --repair a rebuild
// from whatever is readable. The damaged file is never deleted: it is renamed beside the new one.
import Database from 'better-sqlite3';
import { existsSync, renameSync } from 'node:fs';
import { enginePaths } from '../context.ts';
import { openDatabase } from '../store/db.ts';
import { lockDataFolder } from './data-folder-lock.ts';

export interface DoctorReport {
  readonly ok: boolean;
  readonly problems: string[];
  /** With repair: where the damaged file went and how many rows each table got back. */
  readonly repaired?: { damagedCopy: string; rows: Record<string, number>; lost: string[] };
}

export function runDoctor(dataDir: string, opts: { repair: boolean; now?: Date }): DoctorReport {
  const lock = lockDataFolder(dataDir, 'doctor');
  try {
    const file = enginePaths(dataDir).dbFile;
    if (!existsSync(file)) return { ok: true, problems: [] };
    const problems = check(file);
    if (problems.length === 0 || !opts.repair) return { ok: problems.length === 0, problems };
    const stamp = (opts.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
    const damagedCopy = `${file}.damaged-${stamp}`;
    renameSync(file, damagedCopy);
    for (const side of ['-wal', '-shm'])
      if (existsSync(file + side)) renameSync(file + side, damagedCopy + side);
    const fresh = openDatabase(file);
    const rows: Record<string, number> = {};
    const lost: string[] = [];
    try {
      fresh.prepare('ATTACH DATABASE ? AS damaged').run(damagedCopy);
      const tables = fresh
        .prepare(
          "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .all() as { name: string }[];
      fresh.pragma('foreign_keys = OFF');
      for (const { name } of tables) {
        try {
          const cols = columnsIn(fresh, 'main', name).filter((c) =>
            columnsIn(fresh, 'damaged', name).includes(c),
          );
          if (cols.length === 0) continue;
          const list = cols.map((c) => `"${c}"`).join(', ');
          const r = fresh
            .prepare(
              `INSERT OR IGNORE INTO main."${name}" (${list}) SELECT ${list} FROM damaged."${name}"`,
            )
            .run();
          rows[name] = r.changes;
        } catch (err) {
          lost.push(`${name}: ${(err as Error).message}`);
        }
      }
      fresh.pragma('foreign_keys = ON');
      fresh.exec('DETACH DATABASE damaged');
    } finally {
      fresh.close();
    }
    return { ok: false, problems, repaired: { damagedCopy, rows, lost } };
  } finally {
    lock.release();
  }
}

function check(file: string): string[] {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return [(err as Error).message];
  }
  try {
    const rows = db.pragma('integrity_check(50)') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
  } catch (err) {
    return [(err as Error).message];
  } finally {
    db.close();
  }
}

function columnsIn(db: Database.Database, schema: string, table: string): string[] {
  return (db.prepare(`PRAGMA "${schema}".table_info("${table}")`).all() as { name: string }[]).map(
    (c) => c.name,
  );
}
