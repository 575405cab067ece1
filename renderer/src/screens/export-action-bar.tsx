// The detail page's one action bar: the action this export's state calls for (Download when it
// is completed, Recreate when it failed, was canceled or expired, Cancel while it runs), and every
// other action in one "More" menu.
import type { Export } from '../../../shared/schemas/exports.ts';
import { isActive } from '../ui/kit.tsx';
import { ActionMenu, downloadHref, type ExportActions } from './export-actions.tsx';

/** The label of the action shown beside the menu, or null for the download link. */
function mainActionLabel(e: Export): string | null {
  if (e.status === 'completed') return null;
  return isActive(e) ? 'Cancel' : 'Recreate';
}

export function ExportActionBar({ e, actions }: { e: Export; actions: ExportActions }) {
  const mainLabel = mainActionLabel(e);
  const main = mainLabel ? actions.items.find((a) => a.label === mainLabel) : undefined;
  const rest: ExportActions = {
    dialogs: actions.dialogs,
    items: actions.items.filter((a) => a !== main),
  };
  return (
    <div className="action-bar" role="group" aria-label="Actions for this export">
      {e.status === 'completed' ? (
        <a className="button primary" href={downloadHref(e)}>
          Download
        </a>
      ) : main ? (
        <button
          type="button"
          // Cancel stops work: it never takes the primary look, and it asks first.
          className={main.danger ? 'danger' : 'primary'}
          onClick={main.run}
        >
          {main.label}
        </button>
      ) : null}
      <ActionMenu label={`More actions for ${e.name}`} text="More" actions={rest} />
    </div>
  );
}
