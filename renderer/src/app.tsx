// The frame: sidebar navigation, header with the connection indicator, one screen at a time.
import { useEffect, useState } from 'react';
import { startLiveUpdates, useStore, type Connection } from './store.ts';
import { ExportsScreen } from './screens/exports.tsx';
import { DatasetsScreen } from './screens/datasets.tsx';
import { SettingsScreen } from './screens/settings.tsx';
import { EmptyState } from './screens/empty-state.tsx';

const screens = ['exports', 'datasets', 'providers', 'schedules', 'settings'] as const;
type Screen = (typeof screens)[number];
const titles: Record<Screen, string> = {
  exports: 'Exports',
  datasets: 'Datasets',
  providers: 'Providers',
  schedules: 'Schedules',
  settings: 'Settings',
};

function currentScreen(): Screen {
  const name = window.location.hash.replace(/^#\/?/, '').split('/')[0] as Screen;
  return screens.includes(name) ? name : 'exports';
}

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

function ScreenBody({ screen }: { screen: Screen }) {
  switch (screen) {
    case 'exports':
      return <ExportsScreen />;
    case 'datasets':
      return <DatasetsScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'providers':
      return (
        <EmptyState
          title="No providers yet"
          body="Providers connect Export Manager to your data vendors (DataDriver, HookBridge, DealMachine, Dynamic or any export API). Adding them from this screen arrives in a coming release; the API already lists them at /v1/providers once available."
        />
      );
    case 'schedules':
      return (
        <EmptyState
          title="No schedules yet"
          body="Schedules re-run an export on a timetable and keep its file fresh before the link expires. They will be listed here."
        />
      );
  }
}

export function App() {
  const [screen, setScreen] = useState<Screen>(currentScreen);
  const connection = useStore((s) => s.connection);

  useEffect(() => startLiveUpdates(), []);
  useEffect(() => {
    const onHash = () => setScreen(currentScreen());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${titles[screen]} · Export Manager`;
  }, [screen]);

  const expired = new URLSearchParams(window.location.search).get('session') === 'expired';

  return (
    <div className="app">
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
                aria-current={s === screen ? 'page' : undefined}
                className={s === screen ? 'active' : ''}
              >
                {titles[s]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="main">
        <header className="header">
          <h1>{titles[screen]}</h1>
          <ConnectionStatus />
        </header>
        {connection === 'signed-out' || expired ? (
          <div className="banner error" role="alert">
            {expired
              ? 'That sign-in link was already used or has expired. '
              : 'This tab is not signed in. '}
            Open the link printed by <code>export-manager serve</code> (or ask it for a new one with{' '}
            <code>POST /v1/sessions/token</code>).
          </div>
        ) : null}
        {connection === 'offline' ? (
          <div className="banner warn" role="alert">
            Export Manager is not answering. It may have stopped; start it again and this page
            reconnects by itself.
          </div>
        ) : null}
        <main className="content">
          <ScreenBody screen={screen} />
        </main>
      </div>
    </div>
  );
}
