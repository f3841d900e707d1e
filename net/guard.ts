// The address guard at connect time. A name is resolved once, every answer is checked, and the
// socket connects to the address that was checked (pinned): DNS cannot answer a public address
// to the check and 127.0.0.1 to the connection. Used by the HTTP client (as `lookup`), by the
// browser's proxy, and by mailbox connections (SMTP/IMAP).
import dns from 'node:dns';
import net from 'node:net';
import { bareHost, isPublicAddress, privateAllowed, type AddressPolicy } from './address.js';
import { blockedError } from './errors.js';

interface Pinned {
  address: string;
  family: number;
}

type LookupAll = (host: string) => Promise<Pinned[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address of the name. */
const systemLookup: LookupAll = async (host) =>
  (await dns.promises.lookup(host, { all: true })).map((a) => ({ address: a.address, family: a.family }));

let lookupAll: LookupAll = systemLookup;

/** A name with no address, coded as the resolver codes it, so it is worded as one (errors.ts). */
const noAddress = (host: string) => Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });

/**
 * Resolve outbound names with these DNS servers (`DNS_SERVERS`, `host` or `host:port`) instead
 * of the system resolver, e.g. a filtering resolver; none or empty: the system resolver again.
 */
export function useDnsServers(servers?: readonly string[]): void {
  if (!servers?.length) {
    lookupAll = systemLookup;
    return;
  }
  const r = new dns.promises.Resolver({ timeout: 3000, tries: 2 });
  r.setServers([...servers]);
  lookupAll = async (host) => {
    const [v4, v6] = await Promise.allSettled([r.resolve4(host), r.resolve6(host)]);
    const list = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
    ];
    if (!list.length) throw v4.status === 'rejected' ? v4.reason : noAddress(host);
    return list;
  };
}

/**
 * Resolves `host` once and checks every address; resolves to the one to connect to. Callers
 * connect to that address and never resolve the name again (no rebinding between check and use).
 */
export async function resolvePinned(host: string, allowPrivate: boolean): Promise<Pinned> {
  if (net.isIP(host)) {
    if (!allowPrivate && !isPublicAddress(host)) throw blockedError(host);
    return { address: host, family: net.isIP(host) };
  }
  const list = await lookupAll(host);
  if (!list.length) throw noAddress(host);
  if (!allowPrivate && list.some((a) => !isPublicAddress(a.address))) throw blockedError(host);
  return list[0]!;
}

/** A `lookup` for http.request / net.connect that refuses private answers (the socket uses what it returns). */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    resolvePinned(hostname, allowPrivate).then(
      (p) => {
        if ((options as dns.LookupOptions).all)
          (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [p]);
        else callback(null, p.address, p.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 4),
    );
  };
}

/** localhost and its subdomains (RFC 6761), with or without the root's trailing dot: loopback by definition. */
const LOCALHOST = /(^|\.)localhost\.?$/i;

/**
 * Whether a URL may reach a private address; a literal private address, or localhost, is refused
 * before any lookup, so every fetch path (and the settings that store an address) refuses it alike.
 */
export function checkLiteral(url: URL, policy: AddressPolicy): boolean {
  const allow = privateAllowed(policy, url);
  const host = bareHost(url);
  if (!allow && (net.isIP(host) ? !isPublicAddress(host) : LOCALHOST.test(host))) throw blockedError(host);
  return allow;
}

/**
 * A TCP connection to `scheme://host:port` through the guard, with the policy's allow-list
 * matched on that origin. Rejects with FETCH_BLOCKED, or the socket error.
 */
export async function connectGuarded(
  scheme: string,
  host: string,
  port: number,
  policy: AddressPolicy,
  timeoutMs: number,
): Promise<net.Socket> {
  const url = new URL(`${scheme}://${net.isIPv6(host) ? `[${host}]` : host}:${port}`);
  const pinned = await resolvePinned(bareHost(url), privateAllowed(policy, url));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: pinned.address, port, family: pinned.family });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', fail);
      resolve(socket);
    });
  });
}
