// What the page can do natively in the desktop app, with the browser tab's fallback for each.
const bridge = () => window.exportManager;

/**
 * The desktop app on this computer's engine: the engine's paths are this computer's, so native file
 * dialogs and "show in folder" apply. On a team engine the paths are on its machine: the page then
 * works with paths as the browser tab does (typed, never opened here).
 */
export const isDesktop = (): boolean =>
  bridge()?.platform === 'desktop' && bridge()?.engine?.kind !== 'team';

export async function copyText(text: string): Promise<void> {
  const b = bridge();
  if (b) return b.copyText(text);
  await navigator.clipboard.writeText(text);
}

/** A folder from the native dialog; null in the browser tab (it types a path instead) or when canceled. */
export async function chooseFolder(title: string): Promise<string | null> {
  return bridge()?.chooseFolder(title) ?? null;
}

/** A file from the native dialog; null in the browser tab or when canceled. */
export async function chooseFile(title: string): Promise<string | null> {
  return (
    bridge()?.openFile({
      title,
      filters: [{ name: 'Data files', extensions: ['csv', 'gz', 'jsonl', 'ndjson'] }],
    }) ?? null
  );
}

/** Where to save a file, from the native dialog; null in the browser tab or when canceled. */
export async function chooseSavePath(defaultName: string): Promise<string | null> {
  return bridge()?.saveFile(defaultName) ?? null;
}

export async function showInFolder(path: string): Promise<boolean> {
  return bridge()?.showItemInFolder(path) ?? false;
}

export async function openFolder(path: string): Promise<boolean> {
  return bridge()?.openFolder(path) ?? false;
}

export function setNativeTheme(theme: 'light' | 'dark' | 'system'): void {
  void bridge()?.setTheme(theme);
}

/** Splits "/a/b/name.csv" (or "C:\\a\\name.csv") into its folder and file name. */
export function splitPath(path: string): { dir: string; name: string } {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return { dir: i <= 0 ? path.slice(0, i + 1) || '/' : path.slice(0, i), name: path.slice(i + 1) };
}
