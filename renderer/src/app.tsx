// The frame: sidebar navigation, header with the connection indicator, one screen at a time.
import { useEffect } from 'react';
import { screens, useRoute, type Route, type Screen } from './router.ts';
import { startLiveUpdates, useStore, type Connection } from './store.ts';
import { DatasetsScreen } from './screens/datasets.tsx';
import { ExportDetail } from './screens/export-detail.tsx';
import { ExportsScreen } from './screens/exports.tsx';
import { NewExportScreen } from './screens/new-export.tsx';
import { ProvidersScreen } from './screens/providers.tsx';
import { SchedulesScreen } from './screens/schedules.tsx';
import { SettingsScreen } from './screens/settings.tsx';
import { EngineIndicator, TeamOfflineBanner } from './screens/team-engine.tsx';
import { currentEngine } from './team-engine.ts';
import { Shortcuts } from './shortcuts.tsx';
import { applyTheme } from './theme.ts';
import { Notices } from './ui/kit.tsx';

const titles: Record<Screen, string> = {
  exports: 'Exports',
  datasets: 'Datasets',
  providers: 'Providers',
  schedules: 'Schedules',
  settings: 'Settings',
};

const connectionText: Record<Connection, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  offline: 'Offline',
  'signed-out': 'Signed out',
};

function ConnectionStatus() {
  const connection = useStore((s) => s.connection);
  const version = useStore((s) => s.version);
  return (
    <div className={`connection connection-${connection}`} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" />
      <span data-testid="connection-status">{connectionText[connection]}</span>
      {version && connection === 'connected' ? <span className="muted">v{version}</span> : null}
    </div>
  );
}

function heading(route: Route): string {
  if (route.screen === 'exports' && route.sub === 'new') return 'New export';
  if (route.screen === 'exports' && route.sub) return 'Export';
  if (route.screen === 'schedules' && route.sub === 'new') return 'New schedule';
  if (route.screen === 'schedules' && route.action === 'edit') return 'Edit schedule';
  if (route.screen === 'schedules' && route.sub) return 'Schedule';
  return titles[route.screen];
}

function ScreenBody({ route }: { route: Route }) {
  switch (route.screen) {
    case 'exports':
      if (route.sub === 'new')
        return (
          <NewExportScreen
            dataset={route.query.get('dataset')}
            provider={route.query.get('provider')}
          />
        );
      return route.sub ? <ExportDetail id={route.sub} /> : <ExportsScreen />;
    case 'datasets':
      return <DatasetsScreen />;
    case 'providers':
      return <ProvidersScreen />;
    case 'schedules':
      return (
        <SchedulesScreen sub={route.sub} action={route.action} from={route.query.get('from')} />
      );
    case 'settings':
      return <SettingsScreen />;
  }
}

/** The theme from Settings: light, dark, or the system's (no attribute: the CSS media query).
 * Until settings load, what theme-boot.js applied from the last visit stays. */
function useTheme() {
  const theme = useStore((s) => s.settings?.theme ?? null);
  useEffect(() => {
    if (theme) applyTheme(theme);
  }, [theme]);
}

export function App() {
  const route = useRoute();
  const connection = useStore((s) => s.connection);
  const running = useStore((s) => s.exportCounts?.by_status.processing ?? 0);
  useTheme();

  useEffect(() => {
    void useStore.getState().loadSettings();
    return startLiveUpdates();
  }, []);
  const title = heading(route);
  useEffect(() => {
    document.title = `${title} · Export Manager`;
  }, [title]);

  const expired = new URLSearchParams(window.location.search).get('session') === 'expired';

  return (
    <div className="app">
      <Shortcuts />
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ⇣
          </span>
          Export Manager
        </div>
        <ul>
          {screens.map((s) => (
            <li key={s}>
              <a
                href={`#/${s}`}
                aria-current={s === route.screen ? 'page' : undefined}
                className={s === route.screen ? 'active' : ''}
              >
                {titles[s]}
                {s === 'exports' && running > 0 ? (
                  <span className="count" aria-label={`${running} running`}>
                    {running}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="main">
        <header className="header">
          <h1>{title}</h1>
          <div className="header-status">
            <EngineIndicator />
            <ConnectionStatus />
          </div>
        </header>
        <TeamOfflineBanner />
        {(connection === 'signed-out' || expired) && currentEngine().kind === 'local' ? (
          <div className="banner error" role="alert">
            {expired
              ? 'That sign-in link was already used or has expired. '
              : 'This tab is not signed in. '}
            Open the link printed by <code>export-manager serve</code> (or ask it for a new one with{' '}
            <code>POST /v1/sessions/token</code>).
          </div>
        ) : null}
        {connection === 'offline' && currentEngine().kind === 'local' ? (
          <div className="banner warn" role="alert">
            Export Manager is not answering. It may have stopped; start it again and this page
            reconnects by itself.
          </div>
        ) : null}
        <main className="content" id="content" tabIndex={-1}>
          <ScreenBody route={route} />
        </main>
      </div>
      <Notices />
    </div>
  );
}
