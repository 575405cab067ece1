// Where a vendor's file links may point. Never at this engine's own API (a vendor could make us
// fetch our own exports, or anything else the API serves, and hand them to it); with the
// `vendor-file-urls public` setting, never at loopback, private, link-local or unique-local
// addresses either (storage on the internet only). Each redirect hop is checked afresh.
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { TransportError } from './http-client.ts';

export type FileUrlScope = 'any' | 'public';

export interface FileUrlPolicy {
  readonly scope: FileUrlScope;
  /** The engine's own origin (http://127.0.0.1:PORT), or '' before it listens. */
  ownOrigin(): string;
  /** Tests: a resolver standing in for DNS. */
  readonly lookup?: (host: string) => Promise<readonly { address: string; family: number }[]>;
}

/** Checks one URL about to be fetched for a vendor file; `trusted` is the provider's own origin. */
export type FileUrlCheck = (url: URL, trusted: string) => Promise<void>;

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addSubnet('0.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addAddress('::', 'ipv6');

const nonPublic = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  nonPublic.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  nonPublic.addSubnet(net, bits, 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1) checked as the IPv4 it is. */
function normalise(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

const inList = (list: BlockList, address: string) => {
  const a = normalise(address);
  return list.check(a.address, a.type);
};

const portOf = (u: URL) => Number(u.port || (u.protocol === 'https:' ? 443 : 80));

export function createFileUrlCheck(policy: FileUrlPolicy): FileUrlCheck {
  const resolve =
    policy.lookup ?? ((host: string) => dnsLookup(host, { all: true, verbatim: true }));

  return async (url, trusted) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await resolve(host)).map((a) => a.address);
      } catch {
        return; // the request itself will say that the name does not resolve
      }
    }
    const own = policy.ownOrigin();
    if (own) {
      const ownUrl = new URL(own);
      const samePort = portOf(ownUrl) === portOf(url);
      const ownHost = ownUrl.hostname.replace(/^\[|\]$/g, '');
      if (samePort && addresses.some((a) => a === ownHost || inList(loopback, a)))
        throw new TransportError(
          'FORBIDDEN_URL',
          `Refused a vendor file link to ${url.host}: that is this Export Manager's own address.`,
        );
    }
    if (policy.scope === 'public' && url.origin !== trusted) {
      const bad = addresses.find((a) => inList(nonPublic, a));
      if (bad)
        throw new TransportError(
          'FORBIDDEN_URL',
          `Refused a vendor file link to ${url.host} (${bad}): loopback and private addresses are forbidden by the vendor-file-urls setting.`,
        );
    }
  };
}
