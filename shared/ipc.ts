// The one typed contract between the Electron main process and the renderer.

export interface OpenFileOptions {
  readonly title?: string;
  readonly filters?: readonly { name: string; extensions: string[] }[];
}

/** Every IPC channel, with its argument and result types. */
export interface IpcChannels {
  'dialog:open-file': { args: [options: OpenFileOptions]; result: string | null };
  'dialog:choose-folder': { args: [title?: string]; result: string | null };
  'dialog:save-file': { args: [defaultName: string]; result: string | null };
  'shell:show-item': { args: [path: string]; result: boolean };
  'shell:open-folder': { args: [path: string]; result: boolean };
  'clipboard:write-text': { args: [text: string]; result: void };
  'app:set-theme': { args: [theme: 'light' | 'dark' | 'system']; result: void };
  'team:get': { args: []; result: TeamEngineView };
  'team:test': { args: [form: TeamEngineForm]; result: TeamTestResult };
  'team:connect': { args: [form: TeamEngineForm]; result: TeamTestResult };
  'team:disconnect': { args: []; result: void };
}
export type IpcChannel = keyof IpcChannels;
export const ipcChannels = [
  'dialog:open-file',
  'dialog:choose-folder',
  'dialog:save-file',
  'shell:show-item',
  'shell:open-folder',
  'clipboard:write-text',
  'app:set-theme',
  'team:get',
  'team:test',
  'team:connect',
  'team:disconnect',
] as const satisfies readonly IpcChannel[];

/** Which engine the window talks to: this computer's, or a team's shared one (through main's relay). */
export type EngineChoice =
  | { readonly kind: 'local' }
  | { readonly kind: 'team'; readonly url: string; readonly host: string };

/** What main hands the page once, synchronously, at each load. */
export interface AppConfig {
  readonly apiBaseUrl: string;
  readonly apiKey: string;
  readonly engine: EngineChoice;
}

/** The team engine as typed in Settings; an empty key means "the saved one". */
export interface TeamEngineForm {
  readonly url: string;
  readonly apiKey: string;
}

/** What Settings shows of the saved team engine (never the key itself). */
export interface TeamEngineView {
  readonly url: string | null;
  readonly hasKey: boolean;
  readonly connected: boolean;
  /** Where the key is kept: the OS keychain (safeStorage) or a 0600 file in the data folder. */
  readonly keyStorage: 'keychain' | 'file';
}

export type TeamTestKind = 'reachable' | 'wrong-key' | 'not-engine' | 'unreachable' | 'invalid';

/** The answer of "Test connection" (and of "Connect", which connects only when it is reachable). */
export interface TeamTestResult {
  readonly kind: TeamTestKind;
  /** Words for the user, with the error text where there is one. */
  readonly message: string;
  readonly version?: string;
}

/** The relay's answer when the team engine cannot be reached (502), for the page to recognise. */
export const TEAM_ENGINE_UNREACHABLE = 'TEAM_ENGINE_UNREACHABLE';

/** What the preload exposes on `window.exportManager`. */
export interface DesktopBridge {
  readonly platform: 'desktop';
  readonly apiBaseUrl: string;
  readonly apiKey: string;
  readonly engine: EngineChoice;
  openFile(options: OpenFileOptions): Promise<string | null>;
  chooseFolder(title?: string): Promise<string | null>;
  saveFile(defaultName: string): Promise<string | null>;
  showItemInFolder(path: string): Promise<boolean>;
  openFolder(path: string): Promise<boolean>;
  copyText(text: string): Promise<void>;
  setTheme(theme: 'light' | 'dark' | 'system'): Promise<void>;
  teamEngine(): Promise<TeamEngineView>;
  testTeamEngine(form: TeamEngineForm): Promise<TeamTestResult>;
  connectTeamEngine(form: TeamEngineForm): Promise<TeamTestResult>;
  useLocalEngine(): Promise<void>;
}

const validTeamForm = (v: unknown): boolean => {
  const f = v as TeamEngineForm | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    Object.keys(f).every((k) => k === 'url' || k === 'apiKey') &&
    typeof f.url === 'string' &&
    f.url.length <= 2048 &&
    typeof f.apiKey === 'string' &&
    f.apiKey.length <= 1024
  );
};

/** Checks one message's arguments against its channel before the main process acts on it. */
export function validIpcArgs(channel: string, args: readonly unknown[]): boolean {
  const str = (v: unknown, max = 4096) => typeof v === 'string' && v.length > 0 && v.length <= max;
  switch (channel) {
    case 'dialog:open-file': {
      const o = args[0] as OpenFileOptions | undefined;
      return (
        args.length === 1 &&
        typeof o === 'object' &&
        o !== null &&
        (o.title === undefined || str(o.title, 200)) &&
        (o.filters === undefined ||
          (Array.isArray(o.filters) &&
            o.filters.every(
              (f) =>
                str(f?.name, 100) &&
                Array.isArray(f.extensions) &&
                (f.extensions as unknown[]).every((e) => str(e, 20)),
            )))
      );
    }
    case 'dialog:choose-folder':
      return args.length <= 1 && (args[0] === undefined || str(args[0], 200));
    case 'dialog:save-file':
      return args.length === 1 && str(args[0], 255);
    case 'shell:show-item':
    case 'shell:open-folder':
      return args.length === 1 && str(args[0]) && !(args[0] as string).includes('\0');
    case 'clipboard:write-text':
      return args.length === 1 && str(args[0], 100_000);
    case 'app:set-theme':
      return args.length === 1 && ['light', 'dark', 'system'].includes(args[0] as string);
    case 'team:get':
    case 'team:disconnect':
      return args.length === 0;
    case 'team:test':
    case 'team:connect':
      return args.length === 1 && validTeamForm(args[0]);
    default:
      return false;
  }
}
