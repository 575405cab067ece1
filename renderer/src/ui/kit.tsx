// Small building blocks every screen shares: badges, progress, dialogs, confirmations, notices.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Export } from '../../../shared/schemas/exports.ts';
import { chooseFolder, copyText, isDesktop } from '../desktop.ts';
import { useStore } from '../store.ts';

const statusWords: Record<string, string> = {
  pending: 'Queued',
  processing: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  expired: 'Expired',
  importing: 'Importing',
  ready: 'Ready',
  enabled: 'Active',
  paused: 'Paused',
};

/** A status in words with its colour; the word alone carries the meaning (not only the colour). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {statusWords[status] ?? status}
    </span>
  );
}

export function ProgressBar({
  pct,
  label,
  stage,
}: {
  pct: number;
  label: string;
  stage?: string | null;
}) {
  const value = Math.max(0, Math.min(100, Math.round(pct)));
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-valuenow={value}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-label={label}
      >
        <div className="progress-bar" style={{ width: `${value}%` }} />
      </div>
      <span className="progress-stage">
        {stage ?? 'queued'} · {value}%
      </span>
    </div>
  );
}

export const isActive = (e: Pick<Export, 'status'>) =>
  e.status === 'pending' || e.status === 'processing';

/** A modal built on <dialog>: focus moves in, Escape closes, focus returns where it was. */
export function Modal({
  title,
  onClose,
  children,
  wide = false,
}: {
  title: string;
  onClose(): void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    // showModal focuses the first control (the close button); the dialog's main action goes first.
    dialog?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => opener?.focus?.();
  }, []);
  return (
    <dialog
      ref={ref}
      className={`modal${wide ? ' modal-wide' : ''}`}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="modal-head">
        <h2>{title}</h2>
        <button type="button" className="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="modal-body">{children}</div>
    </dialog>
  );
}

interface ConfirmOptions {
  readonly title: string;
  readonly body: string;
  readonly action: string;
  readonly danger?: boolean;
}

/** `const [dialog, confirm] = useConfirm()`: render `dialog`, `await confirm({...})` for a yes/no. */
export function useConfirm(): [ReactNode, (o: ConfirmOptions) => Promise<boolean>] {
  const [open, setOpen] = useState<(ConfirmOptions & { resolve(v: boolean): void }) | null>(null);
  const ask = useCallback(
    (o: ConfirmOptions) => new Promise<boolean>((resolve) => setOpen({ ...o, resolve })),
    [],
  );
  const close = (v: boolean) => {
    open?.resolve(v);
    setOpen(null);
  };
  const dialog = open ? (
    <Modal title={open.title} onClose={() => close(false)}>
      <p>{open.body}</p>
      <div className="modal-actions">
        <button type="button" onClick={() => close(false)} data-autofocus>
          Keep it
        </button>
        <button
          type="button"
          className={open.danger === false ? 'primary' : 'danger solid'}
          onClick={() => close(true)}
        >
          {open.action}
        </button>
      </div>
    </Modal>
  ) : null;
  return [dialog, ask];
}

/** The stack of short notices (action done, action failed), read out by screen readers. */
export function Notices() {
  const notices = useStore((s) => s.notices);
  const dismiss = useStore((s) => s.dismiss);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice notice-${n.kind}`}
          role={n.kind === 'error' ? 'alert' : 'status'}
        >
          <span>{n.text}</span>
          <button type="button" className="icon" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function CopyButton({ text, label, what }: { text: string; label?: string; what: string }) {
  return (
    <button
      type="button"
      onClick={() =>
        copyText(text).then(
          () => useStore.getState().notify('ok', `${what} copied.`),
          () => useStore.getState().notify('error', `Could not copy the ${what.toLowerCase()}.`),
        )
      }
    >
      {label ?? 'Copy'}
    </button>
  );
}

export function EmptyState({
  title,
  body,
  children,
}: {
  title: string;
  body: string;
  children?: ReactNode;
}) {
  return (
    <div className="empty" role="status">
      <div className="empty-icon" aria-hidden="true">
        ⇣
      </div>
      <h2>{title}</h2>
      <p className="muted">{body}</p>
      {children ? <div className="empty-actions">{children}</div> : null}
    </div>
  );
}

/** An error in words right where it happened, read out at once; nothing when there is none. */
export function InlineError({ error }: { error: string | null | undefined }) {
  return error ? (
    <p className="inline-error" role="alert">
      {error}
    </p>
  ) : null;
}

/** A dialog form's footer: Cancel, and the submit button that says what it is doing. */
export function DialogActions({
  onCancel,
  label,
  busyLabel,
  busy,
  disabled = false,
}: {
  onCancel(): void;
  label: string;
  busyLabel: string;
  busy: boolean;
  disabled?: boolean;
}) {
  return (
    <div className="modal-actions">
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={busy || disabled}>
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}

export function ErrorBanner({ what, error }: { what: string; error: string }) {
  return (
    <div className="banner error" role="alert">
      {what}: {error}
    </div>
  );
}

/** A form field: label, control, hint and the API's own error for it, wired for screen readers. */
export function Field({
  label,
  hint,
  error,
  children,
  id,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: ReactNode;
  id: string;
}) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="inline-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** A folder path: typed in the browser tab, or picked with the native dialog in the desktop app. */
export function FolderField({
  id,
  label,
  hint,
  error,
  value,
  onChange,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | null;
  value: string;
  onChange(v: string): void;
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <div className="input-with-button">
        <input
          id={id}
          value={value}
          placeholder="/home/me/exports"
          onChange={(ev) => onChange(ev.target.value)}
        />
        {isDesktop() ? (
          <button
            type="button"
            onClick={() => void chooseFolder(label).then((d) => d && onChange(d))}
          >
            Choose…
          </button>
        ) : null}
      </div>
    </Field>
  );
}
