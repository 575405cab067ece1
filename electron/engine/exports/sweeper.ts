// Retention: completed exports reaching expires_at become `expired` and lose their files.
import type { TimerHandle } from '../clock.ts';
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
        files.removeExport(row.id);
        changed(row.id);
      }
    }
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
