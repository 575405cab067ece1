// What the user can do with several selected exports at once: cancel, retry, recreate, delete.
import type { Export } from '../../../shared/schemas/exports.ts';
import { api, describeError } from '../api.ts';
import { useStore } from '../store.ts';
import { isActive, useConfirm } from '../ui/kit.tsx';

type Verb = 'cancel' | 'retry' | 'recreate' | 'delete';

/** Which selected exports each action applies to. */
export function bulkTargets(selected: readonly Export[]): Record<Verb, readonly Export[]> {
  return {
    cancel: selected.filter(isActive),
    retry: selected.filter((e) => e.status === 'failed' || e.status === 'canceled'),
    recreate: selected.filter((e) => e.status === 'completed' || e.status === 'expired'),
    delete: selected,
  };
}

async function runAll(
  list: readonly Export[],
  one: (e: Export) => Promise<unknown>,
  done: string,
): Promise<void> {
  const results = await Promise.allSettled(list.map(one));
  const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  const { notify } = useStore.getState();
  if (failed.length === 0)
    notify('ok', `${done} ${list.length} export${list.length === 1 ? '' : 's'}.`);
  else
    notify(
      'error',
      `${list.length - failed.length} of ${list.length} done; ${failed.length} failed: ${describeError(failed[0]!.reason)}`,
    );
}

export function BulkBar({ selected, onClear }: { selected: readonly Export[]; onClear(): void }) {
  const [dialog, confirm] = useConfirm();
  const t = bulkTargets(selected);
  const { upsertExports, removeExport } = useStore.getState();
  const recreate = (e: Export) => api.recreateExport(e.id).then((n) => upsertExports([n]));
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected exports" data-testid="bulk-bar">
      <span>
        <strong>{selected.length}</strong> selected
      </span>
      <button
        type="button"
        disabled={t.cancel.length === 0}
        onClick={() =>
          void confirm({
            title: `Cancel ${t.cancel.length} export${t.cancel.length === 1 ? '' : 's'}?`,
            body: 'They stop now and their partial files are removed. You can retry them later.',
            action: 'Cancel exports',
          }).then((yes) => {
            if (yes)
              void runAll(
                t.cancel,
                (e) => api.cancelExport(e.id).then((x) => upsertExports([x])),
                'Canceled',
              );
          })
        }
      >
        Cancel ({t.cancel.length})
      </button>
      <button
        type="button"
        disabled={t.retry.length === 0}
        onClick={() => void runAll(t.retry, recreate, 'Retried')}
      >
        Retry ({t.retry.length})
      </button>
      <button
        type="button"
        disabled={t.recreate.length === 0}
        onClick={() => void runAll(t.recreate, recreate, 'Recreated')}
      >
        Recreate ({t.recreate.length})
      </button>
      <button
        type="button"
        className="danger"
        onClick={() =>
          void confirm({
            title: `Delete ${t.delete.length} export${t.delete.length === 1 ? '' : 's'}?`,
            body: 'They and their stored files are deleted. Copies saved in your folders stay. This cannot be undone.',
            action: 'Delete',
          }).then((yes) => {
            if (!yes) return;
            void runAll(
              t.delete,
              (e) => api.deleteExport(e.id).then(() => removeExport(e.id)),
              'Deleted',
            ).then(onClear);
          })
        }
      >
        Delete ({t.delete.length})
      </button>
      <button type="button" className="link" onClick={onClear}>
        Clear selection
      </button>
      {dialog}
    </div>
  );
}
