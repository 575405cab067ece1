// Who the app says it is: its name, the About panel (version, copyright, website) and the menu
// that opens it. Data and small functions, so tests check them against a fake Electron.
import type { AboutPanelOptionsOptions, MenuItemConstructorOptions } from 'electron';

export const PRODUCT_NAME = 'Export Manager';
/** The same line electron-builder writes into the installers (electron-builder.yml `copyright`). */
export const COPYRIGHT = 'Copyright © Export Manager contributors';

export interface PackageMeta {
  readonly version: string;
  /** package.json `homepage`: the About panel's website, left out while the package has none. */
  readonly homepage?: string;
}

export function aboutPanelOptions(meta: PackageMeta, iconPath?: string): AboutPanelOptionsOptions {
  const website = meta.homepage && /^https?:\/\//.test(meta.homepage) ? meta.homepage : undefined;
  return {
    applicationName: PRODUCT_NAME,
    applicationVersion: meta.version,
    // macOS shows `version` in brackets after applicationVersion: the same number, said once.
    version: meta.version,
    copyright: COPYRIGHT,
    ...(website ? { website } : {}),
    ...(iconPath ? { iconPath } : {}),
  };
}

export interface MenuActions {
  about(): void;
  openDataFolder(): void;
  openWebsite: (() => void) | null;
  quit(): void;
}

/**
 * The application menu. macOS puts About and Quit in the app menu; Linux and Windows in Help and
 * File. Editing roles stay so copy and paste work in the page on every platform.
 */
export function appMenuTemplate(
  platform: NodeJS.Platform,
  actions: MenuActions,
): MenuItemConstructorOptions[] {
  const about: MenuItemConstructorOptions = {
    label: `About ${PRODUCT_NAME}`,
    click: () => actions.about(),
  };
  const quit: MenuItemConstructorOptions = {
    label: platform === 'darwin' ? `Quit ${PRODUCT_NAME}` : 'Quit',
    accelerator: 'CmdOrCtrl+Q',
    click: () => actions.quit(),
  };
  const openData: MenuItemConstructorOptions = {
    label: 'Open Data Folder',
    click: () => actions.openDataFolder(),
  };
  const website: MenuItemConstructorOptions[] = actions.openWebsite
    ? [{ label: `${PRODUCT_NAME} Website`, click: actions.openWebsite }]
    : [];
  const edit: MenuItemConstructorOptions = { label: 'Edit', role: 'editMenu' };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  if (platform === 'darwin')
    return [
      {
        label: PRODUCT_NAME,
        submenu: [
          about,
          { type: 'separator' },
          openData,
          { type: 'separator' },
          { role: 'hide' },
          { role: 'hideOthers' },
          { role: 'unhide' },
          { type: 'separator' },
          quit,
        ],
      },
      edit,
      view,
      { label: 'Window', role: 'windowMenu' },
      ...(website.length > 0 ? [{ label: 'Help', role: 'help' as const, submenu: website }] : []),
    ];
  return [
    { label: 'File', submenu: [openData, { type: 'separator' }, quit] },
    edit,
    view,
    { label: 'Help', role: 'help', submenu: [...website, about] },
  ];
}
