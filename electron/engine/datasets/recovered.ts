// Dataset files start-up cannot vouch for are moved to DATA_DIR/recovered/, never deleted: one may
// be the user's only copy of an import. Each move is logged with where the file went.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EngineContext } from '../context.ts';

export function recoveredDir(dataDir: string): string {
  return join(dataDir, 'recovered');
}

/** Moves `file` (and its SQLite side files) into recovered/ under a free name; returns where. */
export function keepAside(ctx: EngineContext, file: string, why: string): string | null {
  if (!existsSync(file)) return null;
  const dir = recoveredDir(ctx.paths.dataDir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const name = basename(file);
    let target = join(dir, name);
    for (let n = 2; existsSync(target); n++)
      target = join(dir, name.replace(/\.sqlite$/, ` (${n}).sqlite`));
    renameSync(file, target);
    for (const side of ['-wal', '-shm', '-journal'])
      if (existsSync(file + side)) renameSync(file + side, target + side);
    ctx.logger.warn(
      `kept a dataset file start-up could not vouch for (${why}): moved ${file} to ${target}; ` +
        '(a SQLite file: open it with any SQLite tool, or delete it yourself)',
      { file, target },
    );
    return target;
  } catch (err) {
    ctx.logger.error('could not move a dataset file aside; it was left where it is', {
      file,
      error: err,
    });
    return null;
  }
}
