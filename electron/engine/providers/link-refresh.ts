// Fresh file links for one vendor export: one single-flight API read shared by every file and range,
// refreshed shortly before the stated expiry, after any early death, and never in a loop.
import type { TimelineKind } from '../../../shared/schemas/exports.ts';
import type { Clock } from '../clock.ts';
import type { LinkExpiredError } from './vendor-files/download-file.ts';
import { clockTime, JobError } from '../jobs/job-types.ts';
import { capText, VENDOR_EXCERPT } from '../text-cap.ts';
import type { RemoteError, RemoteExport } from './remote-export.ts';

/** A line in an export's timeline: a kind for machines, words for people. */
export type Note = (kind: TimelineKind, text: string) => void;

/** The vendor's own words, quoted as they came (at most 300 characters), or nothing. */
export function vendorWords(e: RemoteError | null | undefined): string {
  if (!e || (!e.code && !e.message)) return '';
  return [e.code, e.message ? `“${capText(e.message, VENDOR_EXCERPT)}”` : null]
    .filter(Boolean)
    .join(' ');
}

export interface LinkRefreshDeps {
  readonly clock: Clock;
  /** Vendor name for messages ("DataDriver"). */
  readonly vendor: string;
  /** Reads the vendor export again through its API (waiting while it is still being made). */
  read(): Promise<RemoteExport>;
  readonly note: Note;
  /** Refresh when the link has less than this left before its stated expiry. */
  readonly marginMs: number;
  /** Refreshes per vendor export before the links count as unusable. */
  readonly maxRefreshes: number;
}

export type Refreshed =
  | { readonly kind: 'fresh'; readonly remote: RemoteExport }
  | { readonly kind: 'expired'; readonly remote: RemoteExport };

export class LinkRefresher {
  private readonly deps: LinkRefreshDeps;
  private current: RemoteExport;
  private inflight: Promise<Refreshed> | null = null;
  private refreshes = 0;
  /** Fresh links in a row that were refused before a single byte came. */
  private quickDeaths = 0;
  /** The current links came from a refresh (not from the first read). */
  private fresh = false;

  constructor(deps: LinkRefreshDeps, first: RemoteExport) {
    this.deps = deps;
    this.current = first;
  }

  get remote(): RemoteExport {
    return this.current;
  }

  /** True when the links expire within the margin: any new request should use fresh ones. */
  dueSoon(): boolean {
    const at = this.current.urlExpiresAt;
    return at !== null && at - this.deps.clock.now() <= this.deps.marginMs;
  }

  /** Before the stated expiry: fetch new links while the old ones still work. */
  refreshEarly(): Promise<Refreshed> {
    const at = this.current.urlExpiresAt;
    const now = this.deps.clock.now();
    return this.refresh((fresh) =>
      this.deps.note(
        'link_refreshed_early',
        at !== null && at <= now
          ? `Link expired at ${clockTime(at)}, fetched a new one from ${this.deps.vendor} at ${clockTime(now)}.`
          : `Link was due to expire at ${clockTime(at ?? now)}; fetched a new one from ${this.deps.vendor} at ${clockTime(now)}${untilText(fresh)}.`,
      ),
    );
  }

  /**
   * A file request was refused. `bytes` is what that request delivered: a fresh link refused before
   * any byte, twice in a row, is an error (the vendor keeps handing out dead links).
   */
  afterRefusal(err: LinkExpiredError, fileNumber: number, bytes: number): Promise<Refreshed> {
    const now = this.deps.clock.now();
    if (this.fresh && bytes === 0) this.quickDeaths++;
    else this.quickDeaths = 0;
    if (this.quickDeaths >= 2)
      throw new JobError(
        'DOWNLOAD_FAILED',
        `${this.deps.vendor} handed out new download links that were refused at once, twice in a row (HTTP ${err.status}${err.vendor.code ? ` ${err.vendor.code}` : ''}); stopped asking.`,
        linkDetails(err),
      );
    const stated = this.current.urlExpiresAt;
    const early =
      stated !== null && stated > now ? `, before its stated expiry at ${clockTime(stated)}` : '';
    const said = vendorWords(err.vendor);
    return this.refresh((fresh) =>
      this.deps.note(
        'link_refreshed',
        `Link for file ${fileNumber} stopped working at ${clockTime(now)}${early} (HTTP ${err.status}${said ? `: ${said}` : ''}); fetched a new one from ${this.deps.vendor}${untilText(fresh)}.`,
      ),
    );
  }

  /** One read at a time: concurrent callers share it, and each gets its outcome. */
  private refresh(onFresh: (fresh: RemoteExport) => void): Promise<Refreshed> {
    if (this.inflight) return this.inflight;
    this.refreshes++;
    if (this.refreshes > this.deps.maxRefreshes)
      return Promise.reject(
        new JobError(
          'DOWNLOAD_FAILED',
          `${this.deps.vendor}'s download links stopped working ${this.deps.maxRefreshes} times for one export; stopped asking for new ones.`,
          { refreshes: this.deps.maxRefreshes, remote_id: this.current.id },
        ),
      );
    const run = (async (): Promise<Refreshed> => {
      const read = await this.deps.read();
      if (read.status === 'expired') return { kind: 'expired', remote: read };
      this.current = read;
      this.fresh = true;
      onFresh(read);
      return { kind: 'fresh', remote: read };
    })();
    this.inflight = run;
    const clear = () => {
      if (this.inflight === run) this.inflight = null;
    };
    run.then(clear, clear);
    return run;
  }

  /** A request on the current links delivered bytes: they work. */
  delivered(): void {
    this.quickDeaths = 0;
  }
}

function untilText(r: RemoteExport): string {
  return r.urlExpiresAt !== null ? ` (good until ${clockTime(r.urlExpiresAt)})` : '';
}

export function linkDetails(err: LinkExpiredError): Record<string, unknown> {
  return {
    http_status: err.status,
    vendor_code: err.vendor.code,
    vendor_message: err.vendor.message,
    url: err.url,
  };
}
