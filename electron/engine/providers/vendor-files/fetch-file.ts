// One vendor file fetched into its `.part`, resumed across link refreshes: a link about to expire is
// refreshed before the request, a refused link (or a file not ready yet) after it.
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import type { HttpClient } from '../http-client.ts';
import type { LinkRefresher, Refreshed } from '../link-refresh.ts';
import { sleep } from '../politeness.ts';
import type { RemoteExport } from '../remote-export.ts';
import {
  downloadToPart,
  LinkExpiredError,
  NotReadyError,
  partSize,
  type DownloadSettings,
  type ResumeState,
} from './download-file.ts';

export interface FetchFileInput {
  /** Which of the vendor export's files (0-based). */
  readonly index: number;
  readonly part: string;
  /** The vendor export as last read; its links may be replaced while the file is fetched. */
  readonly remote: RemoteExport;
  readonly links: LinkRefresher;
  readonly http: HttpClient;
  readonly providerOrigin: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly download: DownloadSettings;
  /** The wait before asking again when the vendor says the file is not ready yet. */
  readonly notReadyWaitMs: number;
  /** Bytes of this file in the part so far. */
  readonly onBytes: (bytes: number) => void;
}

/** `fetched`: the part holds the whole file. `expired`: the vendor expired the export meanwhile. */
export type FetchedFile = { readonly kind: 'fetched' | 'expired'; readonly remote: RemoteExport };

export async function fetchVendorFile(p: FetchFileInput): Promise<FetchedFile> {
  const { index, part, links } = p;
  let remote = p.remote;
  const resume: ResumeState = { validator: null };
  for (;;) {
    // A request made on a link about to expire would die: fetch new links first.
    if (links.dueSoon()) {
      const r = await links.refreshEarly();
      if (r.kind === 'expired') return { kind: 'expired', remote: r.remote };
      remote = r.remote;
    }
    const file = remote.files[index]!;
    const before = partSize(part);
    try {
      await downloadToPart({
        url: file.url,
        partPath: part,
        expectedSize: file.size,
        http: p.http,
        providerOrigin: p.providerOrigin,
        resume,
        signal: p.signal,
        clock: p.clock,
        logger: p.logger,
        settings: p.download,
        onProgress: p.onBytes,
      });
      links.delivered();
      return { kind: 'fetched', remote };
    } catch (err) {
      let r: Refreshed;
      if (err instanceof LinkExpiredError) {
        const why = { remote_id: remote.id, http_status: err.status, url: err.url };
        p.logger.info('a file link was refused; refreshing the vendor links', why);
        r = await links.afterRefusal(err, index + 1, Math.max(0, partSize(part) - before));
      } else if (err instanceof NotReadyError) {
        await sleep(p.clock, p.notReadyWaitMs, p.signal);
        r = await links.refreshEarly();
      } else throw err;
      if (r.kind === 'expired') return { kind: 'expired', remote: r.remote };
      remote = r.remote;
    }
  }
}
