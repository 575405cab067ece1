// Retention: completed exports reaching expires_at become `expired` and lose their files.
import { readdirSync } from 'node:fs';
import type { TimerHandle } from '../clock.ts';
import { isUuid } from '../ids.ts';
import { crashPoint } from '../safety/fault-injection.ts';
import type { EngineContext } from '../context.ts';
import type { FileStore } from '../storage/files.ts';
import type { ExportsRepo } from './exports-repo.ts';

// Long timers are re-checked at least this often, so a sleeping laptop catches up soon after waking.
const MAX_WAIT_MS = 60_000;

export function createSweeper(
  ctx: EngineContext,
  repo: ExportsRepo,
  files: FileStore,
  changed: (id: string) => void,
) {
  let timer: TimerHandle | null = null;
  let running = false;

  function sweep(): void {
    const now = ctx.clock.now();
    for (const row of repo.dueForExpiry(now)) {
      if (
        repo.transition(row.id, 'expired', now, { progress_stage: 'expired', lease_owner: null })
      ) {
        crashPoint('retention:expired-committed');
        removeQuietly(row.id);
        changed(row.id);
      }
    }
  }

  function removeQuietly(id: string): void {
    // EMFILE, EBUSY...: the start-up sweep below tries again; never thrown past the sweep.
    if (!files.removeExport(id))
      ctx.logger.warn('could not remove the files of an export; the next start tries again', {
        id,
      });
  }

  /**
   * Start-up: files of exports that are expired, failed or canceled (a crash between the commit and the
   * removal) or that no record names any more (a crash inside a delete) go now, not never.
   */
  function sweepLeftovers(): void {
    let names: string[] = [];
    try {
      names = readdirSync(files.root);
    } catch {
      return;
    }
    let removed = 0;
    for (const name of names) {
      if (!isUuid(name)) continue;
      const row = repo.get(name);
      if (row && !['expired', 'failed', 'canceled'].includes(row.status)) continue;
      removeQuietly(name);
      removed++;
    }
    if (removed > 0)
      ctx.logger.info(
        'removed the files of expired, failed, canceled or deleted exports left by a crash',
        {
          count: removed,
        },
      );
  }

  function arm(): void {
    if (!running) return;
    timer?.cancel();
    const next = repo.nextExpiry();
    const wait =
      next === null ? MAX_WAIT_MS : Math.min(MAX_WAIT_MS, Math.max(0, next - ctx.clock.now()));
    timer = ctx.clock.setTimeout(() => {
      sweep();
      arm();
    }, wait);
  }

  return {
    start() {
      running = true;
      sweepLeftovers();
      sweep();
      arm();
    },
    arm,
    stop() {
      running = false;
      timer?.cancel();
      timer = null;
    },
  };
}
