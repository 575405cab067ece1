// The storage host's own words out of an error body: S3/GCS/R2 XML, a vendor's JSON, or plain text.
import { vendorError } from '../adapters/generic.ts';
import type { RemoteError } from '../remote-export.ts';

const xmlTag = (xml: string, tag: string): string | null => {
  const m = new RegExp(`<${tag}>([^<]{0,500})</${tag}>`).exec(xml);
  return m ? decodeXml(m[1]!.trim()) || null : null;
};

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * S3 answers `<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`, GCS
 * `<Error><Code>ExpiredToken</Code><Message>…</Message></Error>`; vendors answer JSON. Whatever it is,
 * only the storage's own code and text come back, never ours.
 */
export function storageError(body: unknown): RemoteError {
  if (typeof body === 'string' && /<Error[\s>]/.test(body)) {
    return { code: xmlTag(body, 'Code'), message: xmlTag(body, 'Message') };
  }
  return vendorError(body);
}
