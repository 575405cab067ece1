// Keyboard shortcuts anywhere in the window: "/" search, "n" new export, "?" the list of them.
import { useEffect, useState } from 'react';
import { navigate } from './router.ts';
import { Modal } from './ui/kit.tsx';

export const shortcuts = [
  { key: '/', does: 'Search exports' },
  { key: 'n', does: 'New export' },
  { key: '?', does: 'Show these shortcuts' },
  { key: 'Escape', does: 'Close a menu or dialog; focus goes back where it was' },
] as const;

/** Typing in a field, or with a modifier held, is never a shortcut. */
function typing(ev: KeyboardEvent): boolean {
  const t = ev.target as HTMLElement | null;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return true;
  if (!t) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

export function Shortcuts() {
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (typing(ev) || document.querySelector('dialog[open]')) return;
      if (ev.key === '/') {
        ev.preventDefault();
        const search = () =>
          document.querySelector<HTMLInputElement>('input[aria-keyshortcuts="/"]')?.focus();
        if (
          !window.location.hash.startsWith('#/exports') ||
          /#\/exports\/./.test(window.location.hash)
        ) {
          navigate('exports');
          window.setTimeout(search, 50);
        } else search();
      } else if (ev.key === 'n') {
        ev.preventDefault();
        navigate('exports/new');
      } else if (ev.key === '?') {
        ev.preventDefault();
        setHelp(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (!help) return null;
  return (
    <Modal title="Keyboard shortcuts" onClose={() => setHelp(false)}>
      <dl className="shortcuts" data-testid="shortcuts">
        {shortcuts.map((s) => (
          <div key={s.key}>
            <dt>
              <kbd>{s.key}</kbd>
            </dt>
            <dd>{s.does}</dd>
          </div>
        ))}
      </dl>
    </Modal>
  );
}
