// The private-address rule: a fetch may only reach public unicast addresses, checked on every
// address the name resolves to at connect time (so DNS cannot swap in 127.0.0.1 after a check).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors.js';

export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.range() === 'unicast';
}

export interface AddressPolicy {
  allowPrivate: boolean;
  /** URL prefixes always allowed, even on loopback: the app's own `/demo/` pages in demo mode. */
  allowPrefixes?: string[];
}

export function urlAllowed(url: URL, policy: AddressPolicy): boolean {
  return policy.allowPrivate || (policy.allowPrefixes ?? []).some((p) => url.href.startsWith(p));
}

function blocked(host: string, ip: string): AppError {
  return new AppError('FETCH_BLOCKED', `${host} resolves to a private or reserved address (${ip})`, {
    details: { reason: 'blocked' },
  });
}

/** Throws FETCH_BLOCKED for a non-http(s) URL or a literal private address. Names are checked at connect time. */
export function checkUrl(url: URL, policy: AddressPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('FETCH_BLOCKED', `only http and https are fetched, not ${url.protocol}`, {
      details: { reason: 'blocked' },
    });
  }
  if (urlAllowed(url, policy)) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isPublicAddress(host)) throw blocked(host, host);
  if (host === 'localhost' || host.endsWith('.localhost')) throw blocked(host, 'loopback');
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses private answers unless the policy allows them. */
export function guardedLookup(policy: AddressPolicy, href: string) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const bad = urlAllowed(new URL(href), policy) ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(blocked(hostname, bad.address) as unknown as NodeJS.ErrnoException, []);
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** For the browser, which resolves names itself: resolve first and check every answer. */
export async function hostAllowed(url: URL, policy: AddressPolicy): Promise<boolean> {
  try {
    checkUrl(url, policy);
  } catch {
    return false;
  }
  if (urlAllowed(url, policy) || isIP(url.hostname.replace(/^\[|\]$/g, ''))) return true;
  return new Promise((resolve) => {
    dnsLookup(url.hostname, { all: true }, (err, list) =>
      resolve(!err && list.every((a) => isPublicAddress(a.address))),
    );
  });
}
