// The private-address rule, pure: which addresses are public, and when a private one is allowed.
// ALLOW_PRIVATE_FETCH is `true` (every private address), unset/`false` (none), or a list of
// origins (`http://10.0.0.5:8080,smtp://127.0.0.1:2525`): only those, matched on every hop.
import ipaddr from 'ipaddr.js';

/** True when an address is publicly routable unicast (IPv4-mapped IPv6 judged as IPv4). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

export interface AddressPolicy {
  /** true: any private address; a list: only these origins (`scheme://host:port`); false: none. */
  allowPrivate?: boolean | readonly string[];
  /** URL prefixes allowed even on loopback: the app's own `/demo/` pages in demo mode. */
  allowPrefixes?: readonly string[];
}

/** `scheme://host[:port]`, also for schemes URL gives no origin (smtp:, imap:). */
function originOf(url: URL): string {
  return `${url.protocol}//${url.host}`.toLowerCase();
}

/** Whether this URL may reach a private or reserved address. */
export function privateAllowed(policy: AddressPolicy, url: URL): boolean {
  const a = policy.allowPrivate;
  if (a === true) return true;
  if (Array.isArray(a) && a.includes(originOf(url))) return true;
  return (policy.allowPrefixes ?? []).some((p) => url.href.startsWith(p));
}

/** A hostname without the brackets of an IPv6 literal. */
export const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Parses ALLOW_PRIVATE_FETCH. Returns true/false for the flag values, else the normalised
 * origins; throws with a message naming the first entry that is not `scheme://host[:port]`.
 */
export function parseAllowPrivate(raw: string | undefined): boolean | string[] {
  const v = (raw ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no'].includes(v)) return false;
  if (['1', 'true', 'yes'].includes(v)) return true;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      let u: URL | undefined;
      try {
        u = new URL(entry);
      } catch {
        u = undefined;
      }
      if (!u || !u.hostname || (u.pathname !== '' && u.pathname !== '/') || u.search || u.username)
        throw new Error(`"${entry}" is not an origin like http://10.0.0.5:8080 or smtp://127.0.0.1:2525`);
      return originOf(u);
    });
}
