// The limits and pacing of one provider export: polling, deadlines, re-creations, link refreshes,
// download and verification settings. Read by the remote runner and by each remote job.
import { defaultVendorDeadlines, type VendorDeadlines } from './deadlines.ts';
import type { FileUrlScope } from './url-policy.ts';
import { defaultDownloadSettings, type DownloadSettings } from './vendor-files/download-file.ts';
import { defaultVerifySettings, type VerifySettings } from './vendor-files/verify.ts';

export interface RemoteRunnerSettings extends VendorDeadlines {
  /** First wait between two polls of a vendor export; grows by half each time up to pollMaxMs. */
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  /** Vendor exports re-created after they expired, per export of ours. */
  readonly maxRecreates: number;
  /** Link refreshes (reads of the vendor export for new links) per vendor export before giving up. */
  readonly maxLinkRefreshes: number;
  /** A link with less than this left before its stated expiry is refreshed before the next request. */
  readonly linkMarginMs: number;
  /** First wait before re-creating an expired vendor export; each next one waits 4 times longer. */
  readonly recreateBackoffMs: number;
  readonly download: DownloadSettings;
  /** 'public': vendor file links may not point at loopback or private addresses. */
  readonly fileUrls: FileUrlScope;
  readonly verify: VerifySettings;
}

export const defaultRemoteRunnerSettings: RemoteRunnerSettings = {
  pollMinMs: 2_000,
  pollMaxMs: 30_000,
  ...defaultVendorDeadlines,
  maxRecreates: 3,
  maxLinkRefreshes: 10,
  linkMarginMs: 60_000,
  recreateBackoffMs: 5_000,
  download: defaultDownloadSettings,
  fileUrls: 'any',
  verify: defaultVerifySettings,
};
