// What a user can do with one export (download, save as, open folder, copy link, recreate,
// repeat on a schedule, cancel, delete), shared by the table's rows and the detail page.
import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type FormEvent,
  type ReactNode,
} from 'react';
import type { Export } from '../../../shared/schemas/exports.ts';
import { api, describeError } from '../api.ts';
import {
  chooseSavePath,
  copyText,
  isDesktop,
  openFolder,
  showInFolder,
  splitPath,
} from '../desktop.ts';
import { navigate } from '../router.ts';
import { attempt, useStore } from '../store.ts';
import { Field, InlineError, isActive, Modal, useConfirm } from '../ui/kit.tsx';
import { placeMenu } from '../ui/place-menu.ts';
import { currentEngine, downloadUrl } from '../team-engine.ts';

export function downloadHref(e: Export, file?: number): string {
  return downloadUrl(e.id, file);
}

/** "Save as": a copy on this machine, decompressed or as stored, never over an existing file. */
export function SaveDialog({ e, onClose }: { e: Export; onClose(): void }) {
  const settings = useStore((s) => s.settings);
  const gz = e.files[0]?.filename.endsWith('.gz') ?? false;
  const [decompress, setDecompress] = useState(gz);
  const [dir, setDir] = useState(settings?.default_destination ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const stored = e.files[0]?.filename ?? `${e.name}.${e.format}`;
  const finalName = decompress && gz ? stored.slice(0, -3) : stored;
  const engine = currentEngine();

  // A team engine's "save" would write on its own machine: its files come down as downloads.
  if (engine.kind === 'team')
    return (
      <Modal title={`Save "${e.name}"`} onClose={onClose}>
        <div className="stack">
          <p>
            This export is on the team engine at {engine.host}. Download its file (
            <code>{stored}</code>) to this computer; saving straight into a folder works with this
            computer’s engine only.
          </p>
          <div className="modal-actions">
            <a className="button primary" href={downloadHref(e)} onClick={onClose}>
              Download
            </a>
          </div>
        </div>
      </Modal>
    );

  async function save(target: { dir: string; filename?: string }) {
    setBusy(true);
    setError(null);
    try {
      const r = await api.saveExport(e.id, { ...target, decompress: decompress && gz });
      useStore.getState().notify('ok', `Saved to ${r.path}`);
      if (isDesktop()) void showInFolder(r.path);
      onClose();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    if (isDesktop()) {
      const path = await chooseSavePath(finalName);
      if (!path) return;
      const { dir: d, name } = splitPath(path);
      await save({ dir: d, filename: name });
    } else {
      await save({ dir: dir.trim() });
    }
  }

  return (
    <Modal title={`Save "${e.name}"`} onClose={onClose}>
      <form onSubmit={(ev) => void submit(ev)} className="stack">
        {gz ? (
          <label className="check">
            <input
              type="checkbox"
              checked={decompress}
              onChange={(ev) => setDecompress(ev.target.checked)}
            />
            Decompress (save <code>{stored.slice(0, -3)}</code> instead of <code>{stored}</code>)
          </label>
        ) : null}
        {isDesktop() ? (
          <p className="muted">
            You choose where in the next step. Existing files are never replaced.
          </p>
        ) : (
          <Field
            id={`${id}-dir`}
            label="Folder on this computer"
            hint="An absolute path. The file is named after the export; an existing file is never replaced."
            error={error}
          >
            <input
              id={`${id}-dir`}
              value={dir}
              required
              placeholder="/home/me/Downloads"
              onChange={(ev) => setDir(ev.target.value)}
            />
          </Field>
        )}
        <InlineError error={isDesktop() ? error : null} />
        <div className="modal-actions">
          {!isDesktop() ? (
            <a className="button" href={downloadHref(e)} onClick={onClose}>
              Download through the browser{gz ? ' (.gz)' : ''}
            </a>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : isDesktop() ? 'Choose where…' : 'Save'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export interface ExportActions {
  readonly dialogs: ReactNode;
  readonly items: readonly { label: string; run(): void; danger?: boolean }[];
}

/** The actions that make sense for this export in its current state. */
export function useExportActions(e: Export): ExportActions {
  const [confirmDialog, confirm] = useConfirm();
  const [saving, setSaving] = useState(false);
  const items: { label: string; run(): void; danger?: boolean }[] = [];
  const folder = e.destination?.saved_paths[0]
    ? splitPath(e.destination.saved_paths[0]).dir
    : (e.destination?.dir ?? null);

  if (e.status === 'completed') {
    items.push({ label: 'Save as…', run: () => setSaving(true) });
    items.push({
      label: 'Copy download link',
      run: () =>
        void attempt(async () => {
          // A fresh presigned link: it works without a key until it expires.
          const fresh = await api.getExport(e.id);
          if (!fresh.download_url) throw new Error('The export has no link any more.');
          await copyText(fresh.download_url);
        }, 'Download link copied. It works without a key until it expires.'),
    });
  }
  items.push({
    label: 'Copy API link',
    run: () =>
      void attempt(
        () => copyText(`${window.location.origin}/v1/exports/${e.id}`),
        'API link copied (it needs your API key).',
      ),
  });
  if (folder && isDesktop())
    items.push({
      label: 'Open folder',
      run: () =>
        void attempt(async () => {
          if (!(await openFolder(folder))) throw new Error(`The folder ${folder} is not there.`);
        }),
    });
  if (isActive(e))
    items.push({
      label: 'Cancel',
      danger: true,
      run: () =>
        void confirm({
          title: 'Cancel this export?',
          body: `"${e.name}" stops now and its partial file is removed. You can recreate it later.`,
          action: 'Cancel export',
        }).then((yes) => {
          if (yes) void attempt(() => api.cancelExport(e.id), 'Export canceled.');
        }),
    });
  else
    items.push({
      label: 'Recreate',
      run: () =>
        void attempt(async () => {
          const created = await api.recreateExport(e.id);
          useStore.getState().upsertExports([created]);
          navigate(`exports/${created.id}`);
        }, 'A new export with the same request has started.'),
    });
  if (!e.schedule_id)
    items.push({
      label: 'Repeat on a schedule…',
      run: () => navigate(`schedules/new?from=${e.id}`),
    });
  items.push({
    label: 'Delete',
    danger: true,
    run: () =>
      void confirm({
        title: 'Delete this export?',
        body: `"${e.name}" and its stored files are deleted. Copies already saved in your folders stay. This cannot be undone.`,
        action: 'Delete',
      }).then((yes) => {
        if (yes)
          void attempt(async () => {
            await api.deleteExport(e.id);
            useStore.getState().removeExport(e.id);
            if (window.location.hash.includes(e.id)) navigate('exports');
          }, 'Export deleted.');
      }),
  });

  const dialogs = (
    <>
      {confirmDialog}
      {saving ? <SaveDialog e={e} onClose={() => setSaving(false)} /> : null}
    </>
  );
  return { dialogs, items };
}

/** A "More" button with a menu of actions: arrow keys move, Escape closes, focus returns. */
export function ActionMenu({
  label,
  actions,
  text,
}: {
  label: string;
  actions: ExportActions;
  /** A visible caption ("More"); without it the button is a "⋯" icon. */
  text?: string;
}) {
  const [open, setOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const id = useId();

  // The menu lives in the top layer (Popover API), so no scrolling table, transformed row or
  // stacking context clips or covers it; it is placed against its button, inside the viewport.
  useLayoutEffect(() => {
    const menu = menuRef.current;
    const button = buttonRef.current;
    if (!open || !menu || !button) return;
    menu.showPopover();
    const place = placeMenu(button.getBoundingClientRect(), menu.getBoundingClientRect(), {
      width: window.innerWidth,
      height: window.innerHeight,
    });
    menu.style.left = `${place.left}px`;
    menu.style.top = `${place.top}px`;
  }, [open]);

  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLButtonElement>('button')?.focus();
    const onDown = (ev: MouseEvent) => {
      if (!menuRef.current?.contains(ev.target as Node) && ev.target !== buttonRef.current)
        setOpen(false);
    };
    const onScroll = () => setOpen(false);
    document.addEventListener('mousedown', onDown);
    window.addEventListener('scroll', onScroll, true);
    return () => {
      document.removeEventListener('mousedown', onDown);
      window.removeEventListener('scroll', onScroll, true);
    };
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  const onKey = (ev: React.KeyboardEvent) => {
    const buttons = [...(menuRef.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (ev.key === 'Escape') {
      ev.preventDefault();
      close();
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const n = buttons.length;
      buttons[(i + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n]?.focus();
    } else if (ev.key === 'Tab') setOpen(false);
  };

  return (
    <div className="menu-wrap">
      <button
        ref={buttonRef}
        type="button"
        className={text ? 'more' : 'icon more'}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        {text ? `${text} ▾` : '⋯'}
      </button>
      {open ? (
        <div className="menu" role="menu" id={id} ref={menuRef} popover="manual" onKeyDown={onKey}>
          {actions.items.map((a) => (
            <button
              key={a.label}
              type="button"
              role="menuitem"
              className={a.danger ? 'danger' : ''}
              onClick={() => {
                setOpen(false);
                a.run();
              }}
            >
              {a.label}
            </button>
          ))}
        </div>
      ) : null}
      {actions.dialogs}
    </div>
  );
}
