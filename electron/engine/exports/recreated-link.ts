// The forward link of a re-creation: the old export names the one that replaced it, in its row and timeline.
import type { ExportsRepo } from './exports-repo.ts';
import { clockTime } from './timeline-repo.ts';

export function linkRecreated(repo: ExportsRepo, oldId: string, newId: string, at: number): void {
  repo.patch(oldId, { recreated_as: newId });
  repo.note(oldId, 'recreated_as', `Re-created as ${newId} at ${clockTime(at)}.`, at);
}
