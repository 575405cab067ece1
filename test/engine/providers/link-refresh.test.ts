import { describe, expect, it } from 'vitest';
import { LinkExpiredError } from '../../../electron/engine/providers/vendor-files/download-file.ts';
import { storageError } from '../../../electron/engine/providers/vendor-files/storage-error.ts';
import { LinkRefresher } from '../../../electron/engine/providers/link-refresh.ts';
import type { RemoteExport } from '../../../electron/engine/providers/remote-export.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const remote = (over: Partial<RemoteExport> = {}): RemoteExport => ({
  id: 'exp_1',
  status: 'completed',
  rawStatus: 'completed',
  progressPct: 100,
  stage: null,
  files: [
    {
      url: 'https://s3.test/f?sig=1',
      filename: 'f.csv.gz',
      size: 10,
      rowCount: null,
      sha256: null,
    },
  ],
  rowCount: null,
  expiresAt: null,
  urlExpiresAt: null,
  error: null,
  ...over,
});

const refused = () =>
  new LinkExpiredError(
    403,
    { code: 'AccessDenied', message: 'Request has expired' },
    'https://s3.test/f?…',
  );

function make(read: () => Promise<RemoteExport>, clock = FakeClock.autoFiring()) {
  const notes: string[] = [];
  const links = new LinkRefresher(
    {
      clock,
      vendor: 'DataDriver',
      read,
      note: (_k, t) => notes.push(t),
      marginMs: 60_000,
      maxRefreshes: 5,
    },
    remote(),
  );
  return { links, notes, clock };
}

describe('LinkRefresher', () => {
  it('is single-flight: files and ranges refused at once share one API read', async () => {
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { links, notes } = make(async () => {
      reads++;
      await gate;
      return remote({ urlExpiresAt: Date.parse('2026-03-01T13:00:00Z') });
    });
    const all = Promise.all([
      links.afterRefusal(refused(), 1, 0),
      links.afterRefusal(refused(), 2, 0),
      links.refreshEarly(),
    ]);
    release();
    const out = await all;
    expect(reads).toBe(1);
    expect(out.map((o) => o.kind)).toEqual(['fresh', 'fresh', 'fresh']);
    expect(notes).toHaveLength(1);
    // The next refusal is a new read.
    await links.afterRefusal(refused(), 1, 100);
    expect(reads).toBe(2);
  });

  it('a fresh link refused before any byte, twice in a row, is an error; bytes in between reset the count', async () => {
    const { links } = make(async () => remote());
    await links.afterRefusal(refused(), 1, 0); // the original link: normal
    await links.afterRefusal(refused(), 1, 0); // fresh link dead at once: strike 1
    await links.afterRefusal(refused(), 1, 500); // this one delivered bytes: reset
    await links.afterRefusal(refused(), 1, 0); // strike 1
    expect(() => links.afterRefusal(refused(), 1, 0)).toThrow(/refused at once, twice in a row/);
  });

  it('dueSoon: within the margin of the stated expiry, and an expired answer is passed on', async () => {
    const clock = FakeClock.autoFiring('2026-03-01T12:00:00Z');
    const { links } = make(async () => remote({ status: 'expired' }), clock);
    expect(links.dueSoon()).toBe(false);
    const l2 = new LinkRefresher(
      {
        clock,
        vendor: 'V',
        read: async () =>
          remote({ status: 'expired', error: { code: 'EXPORT_EXPIRED', message: 'gone' } }),
        note: () => undefined,
        marginMs: 60_000,
        maxRefreshes: 5,
      },
      remote({ urlExpiresAt: clock.now() + 59_000 }),
    );
    expect(l2.dueSoon()).toBe(true);
    expect((await l2.refreshEarly()).kind).toBe('expired');
    expect(links.remote.id).toBe('exp_1');
  });
});

describe('storageError', () => {
  it('reads S3 and GCS XML, vendor JSON and plain text as the storage said them', () => {
    expect(
      storageError(
        '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
      ),
    ).toEqual({ code: 'AccessDenied', message: 'Request has expired' });
    expect(
      storageError('<Error><Code>ExpiredToken</Code><Message>Invalid &amp; old.</Message></Error>'),
    ).toEqual({
      code: 'ExpiredToken',
      message: 'Invalid & old.',
    });
    expect(
      storageError({
        error: { code: 'EXPORT_EXPIRED', message: 'Export download link has expired' },
      }),
    ).toEqual({
      code: 'EXPORT_EXPIRED',
      message: 'Export download link has expired',
    });
    expect(storageError('Forbidden')).toEqual({ code: null, message: 'Forbidden' });
  });
});
