// Expiry in the UI: the recovery steps in the timeline, a banner on an expired or re-created export,
// the vendor's own words of a failure, and the inline Recreate of an expired row.
import { useState } from 'react';
import type { Export, TimelineEntry } from '../../../shared/schemas/exports.ts';
import { api } from '../api.ts';
import { dateTime } from '../format.ts';
import { navigate } from '../router.ts';
import { attempt, useStore } from '../store.ts';

/** A short label for each kind of step. */
const stepLabels: Record<TimelineEntry['kind'], string> = {
  link_refreshed: 'New link',
  link_refreshed_early: 'New link',
  vendor_expired: 'Vendor expired',
  recreated: 'Re-created',
  recreated_as: 'Re-created',
  gave_up: 'Gave up',
};

/** One recovery step of the timeline, as a list item. */
export function TimelineStep({ step }: { step: TimelineEntry }) {
  return (
    <li className="timeline-step" data-testid="timeline-step">
      <span className={`badge badge-step step-${step.kind}`}>{stepLabels[step.kind]}</span>
      <span>
        <time dateTime={step.at}>{dateTime(step.at)}</time> <span>{step.text}</span>
      </span>
    </li>
  );
}

/** Status changes and recovery steps, oldest first (a stable merge: equal times keep their order). */
export function inTimeOrder(
  history: Export['history'],
  steps: readonly TimelineEntry[],
): (Export['history'][number] | TimelineEntry)[] {
  return [...history, ...steps]
    .map((item, i) => ({ item, i, t: Date.parse(item.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.item);
}

/** Re-creates the export (same request) and opens the new one. */
export function useRecreate(e: Export): [busy: boolean, run: () => void] {
  const [busy, setBusy] = useState(false);
  const run = () => {
    setBusy(true);
    void attempt(async () => {
      try {
        const created = await api.recreateExport(e.id);
        useStore.getState().upsertExports([created]);
        navigate(`exports/${created.id}`);
      } finally {
        setBusy(false);
      }
    }, 'A new export with the same request has started.');
  };
  return [busy, run];
}

/** On an expired export, or one re-created (by the user, or automatically at the vendor). */
export function ExpiryBanner({ e }: { e: Export }) {
  const [busy, recreate] = useRecreate(e);
  const vendorRecreations = e.timeline.filter((t) => t.kind === 'recreated').length;
  if (e.status === 'expired')
    return (
      <div className="banner warn expiry-banner" role="status" data-testid="expiry-banner">
        {e.recreated_as ? (
          <>
            This export expired and its file was deleted. It was re-created as{' '}
            <a href={`#/exports/${e.recreated_as}`}>a newer export</a>.
          </>
        ) : (
          <>
            This export expired{e.expires_at ? ` on ${dateTime(e.expires_at)}` : ''} and its file
            was deleted. Recreate it to get a fresh file with the same request.{' '}
            <button type="button" className="primary" disabled={busy} onClick={recreate}>
              Recreate
            </button>
          </>
        )}
      </div>
    );
  const canceledAt = e.history.find((h) => h.status === 'canceled')?.at;
  if (e.status === 'canceled')
    return (
      <div className="banner expiry-banner" role="status" data-testid="expiry-banner">
        This export was canceled{canceledAt ? ` on ${dateTime(canceledAt)}` : ''}; what it had
        written was removed. Recreate runs the same request again.
      </div>
    );
  if (vendorRecreations > 0 || e.recreated_from || e.recreated_as)
    return (
      <div className="banner expiry-banner" role="status" data-testid="expiry-banner">
        {vendorRecreations > 0
          ? `The vendor expired this export before it was downloaded; Export Manager re-created it there ${vendorRecreations === 1 ? 'once' : `${vendorRecreations} times`} by itself. `
          : null}
        {e.recreated_from ? (
          <>
            Re-created from <a href={`#/exports/${e.recreated_from}`}>an earlier export</a>.{' '}
          </>
        ) : null}
        {e.recreated_as ? (
          <>
            Re-created as <a href={`#/exports/${e.recreated_as}`}>a newer export</a>.
          </>
        ) : null}
      </div>
    );
  return null;
}

/** The vendor's own code and words from a failure's details, or null when it said nothing. */
export function vendorSaid(e: Export): { code: string | null; message: string | null } | null {
  const d = e.error?.details;
  if (!d || e.source.type !== 'provider') return null;
  const code = typeof d.vendor_code === 'string' ? d.vendor_code : null;
  const message = typeof d.vendor_message === 'string' ? d.vendor_message : null;
  return code || message ? { code, message } : null;
}

/** The Recreate button an expired row shows inline. */
export function InlineRecreate({ e }: { e: Export }) {
  const [busy, recreate] = useRecreate(e);
  if (e.status !== 'expired' || e.recreated_as) return null;
  return (
    <button
      type="button"
      disabled={busy}
      onClick={recreate}
      aria-label={`Recreate ${e.name}`}
      data-testid="inline-recreate"
    >
      Recreate
    </button>
  );
}
