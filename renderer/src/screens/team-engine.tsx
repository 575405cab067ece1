// Settings → Team engine (desktop only): connect the app to a team's shared engine or come back to
// this computer's; the header's indicator and the banners that say which engine is away.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { TeamEngineView, TeamTestResult } from '../../../shared/ipc.ts';
import { useStore } from '../store.ts';
import {
  currentEngine,
  engineLabel,
  resultTitle,
  resultTone,
  teamBridge,
  teamFormProblem,
} from '../team-engine.ts';
import { Field } from '../ui/kit.tsx';

/** Back to this computer's engine: main closes the relay, the page reloads on the local API. */
async function switchToLocalEngine(): Promise<void> {
  await teamBridge()?.useLocalEngine();
  window.location.reload();
}

/** "Team engine: host" in the header while the window uses a team engine. */
export function EngineIndicator() {
  const label = engineLabel(currentEngine());
  if (!label) return null;
  return (
    <span className="engine-indicator" data-testid="engine-indicator" title={label}>
      {label}
    </span>
  );
}

/** The team engine does not answer (or no longer takes the key): say so, and offer the way back. */
export function TeamOfflineBanner() {
  const connection = useStore((s) => s.connection);
  const error = useStore((s) => s.connectionError);
  const engine = currentEngine();
  if (engine.kind !== 'team' || (connection !== 'offline' && connection !== 'signed-out'))
    return null;
  return (
    <div className="banner warn team-offline" role="alert" data-testid="team-offline">
      {connection === 'offline' ? (
        <p>
          <strong>Team engine unavailable.</strong>{' '}
          {error ?? `The team engine at ${engine.host} is not answering.`} Nothing is lost: its
          exports stay on the team engine, and this window reconnects by itself when it answers
          again.
        </p>
      ) : (
        <p>
          <strong>The team engine at {engine.host} refused this app’s API key.</strong> Enter a new
          key in Settings → Team engine, or use this computer’s engine meanwhile.
        </p>
      )}
      <button type="button" onClick={() => void switchToLocalEngine()}>
        Use this computer’s engine
      </button>
    </div>
  );
}

export function TeamEngineSection() {
  const id = useId();
  const bridge = teamBridge();
  const engine = currentEngine();
  const [view, setView] = useState<TeamEngineView | null>(null);
  const [url, setUrl] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState<null | 'test' | 'connect' | 'local'>(null);
  const [result, setResult] = useState<TeamTestResult | null>(null);
  const [problem, setProblem] = useState<{ field: 'url' | 'key'; message: string } | null>(null);
  const urlRef = useRef<HTMLInputElement>(null);
  const keyRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void bridge?.teamEngine().then((v) => {
      setView(v);
      setUrl((u) => u || (v.url ?? ''));
    });
  }, [bridge]);
  if (!bridge) return null;

  /** Checks the form first; focus goes to the field that needs the user. */
  const ready = (): boolean => {
    const p = teamFormProblem(url, key, view);
    setProblem(p);
    if (p) {
      setResult(null);
      (p.field === 'url' ? urlRef : keyRef).current?.focus();
    }
    return p === null;
  };

  async function run(kind: 'test' | 'connect') {
    if (!bridge || !ready()) return;
    setBusy(kind);
    setResult(null);
    try {
      const form = { url: url.trim(), apiKey: key.trim() };
      const r = await (kind === 'test'
        ? bridge.testTeamEngine(form)
        : bridge.connectTeamEngine(form));
      setResult(r);
      // Connected: the page starts again on the team engine (main hands it the relay).
      if (kind === 'connect' && r.kind === 'reachable') window.location.reload();
    } catch (err) {
      setResult({ kind: 'unreachable', message: (err as Error).message });
    } finally {
      setBusy(null);
    }
  }

  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    void run('connect');
  };
  const keyHint =
    view?.hasKey && engine.kind === 'team'
      ? 'Leave empty to keep the saved key.'
      : view?.keyStorage === 'file'
        ? 'Kept in this computer’s data folder (no keychain here).'
        : 'Kept in this computer’s keychain.';

  return (
    <section className="card form team-engine" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Team engine</h2>
      <p>
        Now using:{' '}
        <strong data-testid="engine-now">
          {engine.kind === 'team' ? `the team engine at ${engine.url}` : 'this computer’s engine'}
        </strong>
      </p>
      <p className="muted">
        A team can share one engine (<code>export-manager serve</code> on a server). Connected, this
        window shows that engine’s exports, providers and schedules; this computer’s engine keeps
        running for local tools and its own schedules.
      </p>
      <form onSubmit={onSubmit} aria-label="Team engine" noValidate>
        <div className="row">
          <Field
            id={`${id}-url`}
            label="Engine URL"
            hint="For example https://exports.example.com"
            error={problem?.field === 'url' ? problem.message : null}
          >
            <input
              id={`${id}-url`}
              ref={urlRef}
              type="url"
              inputMode="url"
              autoComplete="url"
              spellCheck={false}
              value={url}
              aria-describedby={`${id}-url-hint${problem?.field === 'url' ? ` ${id}-url-error` : ''}`}
              aria-invalid={problem?.field === 'url' ? true : undefined}
              onChange={(ev) => setUrl(ev.target.value)}
            />
          </Field>
          <Field
            id={`${id}-key`}
            label="API key"
            hint={keyHint}
            error={problem?.field === 'key' ? problem.message : null}
          >
            <input
              id={`${id}-key`}
              ref={keyRef}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={key}
              aria-describedby={`${id}-key-hint${problem?.field === 'key' ? ` ${id}-key-error` : ''}`}
              aria-invalid={problem?.field === 'key' ? true : undefined}
              onChange={(ev) => setKey(ev.target.value)}
            />
          </Field>
        </div>
        <div className="form-actions">
          <button type="button" disabled={busy !== null} onClick={() => void run('test')}>
            {busy === 'test' ? 'Testing…' : 'Test connection'}
          </button>
          <button type="submit" className="primary" disabled={busy !== null}>
            {busy === 'connect' ? 'Connecting…' : 'Connect'}
          </button>
          {engine.kind === 'team' ? (
            <button
              type="button"
              disabled={busy !== null}
              onClick={() => {
                setBusy('local');
                void switchToLocalEngine();
              }}
            >
              Use this computer’s engine
            </button>
          ) : null}
        </div>
      </form>
      <div role="status" aria-live="polite" data-testid="team-result" className="team-result">
        {result ? (
          <div className={`banner ${resultTone(result) === 'ok' ? 'ok' : 'error'}`}>
            <strong>{resultTitle[result.kind]}.</strong> {result.message}
          </div>
        ) : null}
      </div>
    </section>
  );
}
