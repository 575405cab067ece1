// When a vendor expired its export: how long to wait before re-creating it, and the words when we stop.
import { clockTime, JobError } from '../jobs/job-types.ts';
import { vendorWords } from './link-refresh.ts';
import type { RemoteExport } from './remote-export.ts';

/** Wait before re-creation number `n` (1-based): 5 s, 20 s, 80 s… at most 5 minutes. */
export function recreateBackoffMs(n: number, baseMs: number): number {
  return Math.min(300_000, baseMs * 4 ** Math.max(0, n - 1));
}

/** The timeline line for "the vendor said this export expired". */
export function expiredText(vendor: string, expired: RemoteExport, now: number): string {
  const said = vendorWords(expired.error);
  return `${vendor} expired its export ${expired.id} (noticed at ${clockTime(now)}${said ? `; it said ${said}` : ''}).`;
}

/** The budget is spent: fail with what happened, and the vendor's own code and words in details. */
export function gaveUp(vendor: string, expired: RemoteExport, recreated: number): JobError {
  return new JobError(
    'PROVIDER_EXPORT_EXPIRED',
    `${vendor} expired the export before it could be downloaded; it was re-created ${recreated} time(s) and expired each time, so Export Manager stopped.`,
    {
      vendor_code: expired.error?.code ?? null,
      vendor_message: expired.error?.message ?? null,
      remote_id: expired.id,
      recreated: recreated,
    },
  );
}
