// One safe HTTP GET for anything a user configured (feeds, pages, job boards; research may
// reuse it). Refuses loopback/private/reserved addresses by checking every resolved IP at
// connect time (so DNS cannot swap in a private address after a check), follows a bounded
// number of redirects re-checking each hop, stops at a deadline and a byte limit (after
// decompression), sends a descriptive User-Agent and conditional-GET headers.
//
//   const r = await safeFetch(url, { userAgent, etag, lastModified });
//   if (r.notModified) …; else decodeBody(r.body, r.contentType)
//
// Errors: AppError FETCH_BLOCKED (address or scheme not allowed), FETCH_FAILED with
// details.reason 'timeout' | 'too_large' | 'redirects' | 'http' | 'network' (and details.status).
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import zlib from 'node:zlib';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors.js';

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_REDIRECTS = 5;

export interface FetchOptions {
  /** Allow loopback/private addresses: true, or only for URLs this returns true for (checked on every hop). */
  allowPrivate?: boolean | ((url: URL) => boolean);
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  accept?: string;
  etag?: string | null;
  lastModified?: string | null;
  signal?: AbortSignal;
}

export interface FetchResult {
  /** The URL after redirects. */
  url: string;
  status: number;
  notModified: boolean;
  contentType: string;
  etag: string | null;
  lastModified: string | null;
  body: Buffer;
  redirects: number;
}

export type FetchFailure = 'timeout' | 'too_large' | 'redirects' | 'http' | 'network';

const fail = (reason: FetchFailure, message: string, extra: Record<string, unknown> = {}, cause?: unknown) =>
  new AppError('FETCH_FAILED', message, { details: { reason, ...extra }, cause });

/** True when an address is publicly routable unicast (IPv4-mapped IPv6 judged as IPv4). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

export function privateAllowed(opts: Pick<FetchOptions, 'allowPrivate'>, url: URL): boolean {
  return typeof opts.allowPrivate === 'function' ? opts.allowPrivate(url) : !!opts.allowPrivate;
}

function blocked(host: string, address: string) {
  return new AppError(
    'FETCH_BLOCKED',
    `${host} resolves to ${address}, a private or reserved address; set ALLOW_PRIVATE_FETCH to allow it`,
    { details: { host, address } },
  );
}

/** A dns.lookup that refuses non-public addresses, used by the socket itself. */
function guardedLookup(host: string, allow: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as dns.LookupAddress[];
      const bad = allow ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(blocked(host, bad.address) as unknown as NodeJS.ErrnoException, '', 4);
      if ((options as dns.LookupOptions).all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

interface Hop {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function requestOnce(url: URL, opts: FetchOptions, deadline: number): Promise<Hop> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allow = privateAllowed(opts, url);
  if (net.isIP(host) && !allow && !isPublicAddress(host)) return Promise.reject(blocked(host, host));
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const headers: Record<string, string> = {
    'user-agent': opts.userAgent ?? 'Prospector (signal monitor)',
    accept: opts.accept ?? '*/*',
    'accept-encoding': 'gzip, deflate, br',
  };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<Hop>((resolve, reject) => {
    let settled = false;
    const done = (err: Error | null, hop?: Hop) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(hop!);
    };
    const timer = setTimeout(
      () => done(fail('timeout', `${url.host} did not answer within ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
      Math.max(1, deadline - Date.now()),
    );
    const onAbort = () => done(fail('network', 'fetch aborted'));
    opts.signal?.addEventListener('abort', onAbort);
    const req = mod.request(url, { method: 'GET', headers, lookup: guardedLookup(host, allow) }, (res) => {
      const status = res.statusCode ?? 0;
      if ((status >= 300 && status < 400) || status >= 400) {
        res.resume();
        return done(null, { status, headers: res.headers, body: Buffer.alloc(0) });
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > maxBytes) {
        res.destroy();
        return done(
          fail('too_large', `${url.host} sent ${declared} bytes; the limit is ${maxBytes}`, { bytes: declared }),
        );
      }
      const enc = String(res.headers['content-encoding'] ?? '').toLowerCase();
      const stream =
        enc === 'gzip' || enc === 'x-gzip'
          ? res.pipe(zlib.createGunzip())
          : enc === 'deflate'
            ? res.pipe(zlib.createInflate())
            : enc === 'br'
              ? res.pipe(zlib.createBrotliDecompress())
              : res;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          res.destroy();
          return done(fail('too_large', `${url.host} sent more than ${maxBytes} bytes`, { bytes: size }));
        }
        chunks.push(c);
      });
      stream.on('end', () => done(null, { status, headers: res.headers, body: Buffer.concat(chunks) }));
      stream.on('error', (e) => done(fail('network', `reading ${url.host}: ${e.message}`, {}, e)));
      res.on('error', (e) => done(fail('network', `reading ${url.host}: ${e.message}`, {}, e)));
    });
    req.on('error', (e) =>
      done(e instanceof AppError ? e : fail('network', `${url.host}: ${(e as Error).message}`, {}, e)),
    );
    req.end();
  });
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new AppError('VALIDATION', `"${raw}" is not an absolute URL`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('FETCH_BLOCKED', `only http(s) URLs may be fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new AppError('FETCH_BLOCKED', 'URLs with credentials are not fetched');
  return url;
}

/** GET with redirects, limits and the address guard. 304 → notModified; other 4xx/5xx throw. */
export async function safeFetch(rawUrl: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let url = parseUrl(rawUrl);
  for (let redirects = 0; ; redirects++) {
    const hop = await requestOnce(url, opts, deadline);
    const h = (k: string) => (typeof hop.headers[k] === 'string' ? (hop.headers[k] as string) : null);
    if (hop.status >= 300 && hop.status < 400 && hop.status !== 304) {
      const location = h('location');
      if (!location)
        throw fail('http', `${url.host} answered ${hop.status} without a Location`, { status: hop.status });
      if (redirects >= maxRedirects)
        throw fail('redirects', `more than ${maxRedirects} redirects from ${rawUrl}`, { status: hop.status });
      url = parseUrl(new URL(location, url).toString());
      continue;
    }
    if (hop.status >= 400) throw fail('http', `${url.host} answered HTTP ${hop.status}`, { status: hop.status });
    return {
      url: url.toString(),
      status: hop.status,
      notModified: hop.status === 304,
      contentType: h('content-type') ?? '',
      etag: h('etag'),
      lastModified: h('last-modified'),
      body: hop.body,
      redirects,
    };
  }
}
