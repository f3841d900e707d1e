// The one HTTP GET for anything outside the app: feeds, pages, job boards, research, robots.txt.
// Every hop (redirects included, re-checked one by one) goes through the address guard with the
// address pinned for the connection; URLs with credentials and non-http(s) schemes are refused;
// a deadline, a byte limit (after decompression) and a redirect limit hold; the one User-Agent.
//
//   const r = await safeFetch(url, { ...policy, userAgent, etag, lastModified });
//   if (r.notModified) …; else decodeBody(r.body, r.contentType)
//
// Errors: see errors.ts (FETCH_BLOCKED / FETCH_SKIPPED / FETCH_FAILED with details.reason).
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { AppError } from '../errors.js';
import type { AddressPolicy } from './address.js';
import { fetchError } from './errors.js';
import { checkLiteral, guardedLookup } from './guard.js';
import { BOT_TOKEN } from './identity.js';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}
export const DEFAULT_LIMITS: FetchLimits = { timeoutMs: 15_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 5 };

export interface FetchOptions extends AddressPolicy {
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** The Accept header. */
  accept?: string;
  /** Content types to read; others are not downloaded (FETCH_SKIPPED, reason content_type). */
  acceptType?: (contentType: string) => boolean;
  etag?: string | null;
  lastModified?: string | null;
  /** The caller's own deadline (a dossier's budget): FETCH_FAILED reason time_limit. */
  signal?: AbortSignal;
}

interface FetchResult {
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

/**
 * An absolute http(s) URL without credentials (VALIDATION, or FETCH_BLOCKED). The words never repeat
 * the address: it may hold a password, and refusals are logged.
 */
function parseFetchUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new AppError('VALIDATION', 'not a web address; an http(s) address like https://example.com/feed.xml', {
      cause,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw fetchError('blocked', `an http(s) address is needed; ${url.protocol} addresses are never fetched`);
  if (url.username || url.password)
    throw fetchError('blocked', 'an address with a user name or password in it is never fetched');
  return url;
}

/**
 * What every fetch checks before connecting, for an address about to be stored (a signal source):
 * the parsed URL, or the error safeFetch would throw. Names that resolve to private addresses are
 * still refused at each fetch, where they are resolved.
 */
export function checkFetchUrl(raw: string, policy: AddressPolicy): URL {
  const url = parseFetchUrl(raw);
  checkLiteral(url, policy);
  return url;
}

interface Hop {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function decompress(res: http.IncomingMessage): NodeJS.ReadableStream {
  const enc = String(res.headers['content-encoding'] ?? '').toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') return res.pipe(zlib.createGunzip());
  if (enc === 'deflate') return res.pipe(zlib.createInflate());
  if (enc === 'br') return res.pipe(zlib.createBrotliDecompress());
  return res;
}

function requestOnce(url: URL, opts: FetchOptions, headers: Record<string, string>, deadline: number): Promise<Hop> {
  const allow = checkLiteral(url, opts);
  const maxBytes = opts.maxBytes ?? DEFAULT_LIMITS.maxBytes;
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
    const timeoutMs = opts.timeoutMs ?? DEFAULT_LIMITS.timeoutMs;
    const timer = setTimeout(
      () => done(fetchError('timeout', `${url.href}: no complete answer within ${timeoutMs / 1000} s`)),
      Math.max(1, deadline - Date.now()),
    );
    const onAbort = () => done(fetchError('time_limit', `${url.href}: stopped, out of time`));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    // No agent: a kept-alive socket would carry the next request to an address checked for another URL.
    const req = mod.request(url, { method: 'GET', headers, agent: false, lookup: guardedLookup(allow) }, (res) => {
      const status = res.statusCode ?? 0;
      const type = String(res.headers['content-type'] ?? '');
      if (status < 200 || status >= 300) {
        res.resume();
        return done(null, { status, headers: res.headers, body: Buffer.alloc(0) });
      }
      if (opts.acceptType && !opts.acceptType(type)) {
        res.destroy();
        return done(
          fetchError('content_type', `${url.href} is ${type || 'of no stated type'}, not what was asked for: skipped`),
        );
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > maxBytes) {
        res.destroy();
        return done(fetchError('too_large', `${url.href} is ${declared} bytes, over the ${maxBytes}-byte limit`));
      }
      const stream = decompress(res);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          res.destroy();
          return done(fetchError('too_large', `${url.href} is over the ${maxBytes}-byte limit`));
        }
        chunks.push(c);
      });
      stream.on('end', () => done(null, { status, headers: res.headers, body: Buffer.concat(chunks) }));
      stream.on('error', (e) => done(fetchError('network', `reading ${url.href}: ${e.message}`, { cause: e })));
      res.on('error', (e) => done(fetchError('network', `reading ${url.href}: ${e.message}`, { cause: e })));
    });
    req.on('error', (e) =>
      done(
        e instanceof AppError
          ? e
          : fetchError('network', `${url.href}: ${(e as Error).message}`, { cause: e, host: url.hostname }),
      ),
    );
    req.end();
  });
}

/** GET with redirects, limits and the address guard. 304 → notModified; other non-2xx throw (reason status). */
export async function safeFetch(rawUrl: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_LIMITS.timeoutMs);
  const maxRedirects = opts.maxRedirects ?? DEFAULT_LIMITS.maxRedirects;
  let url = parseFetchUrl(rawUrl);
  for (let redirects = 0; ; redirects++) {
    const headers: Record<string, string> = {
      'user-agent': opts.userAgent ?? BOT_TOKEN,
      accept: opts.accept ?? '*/*',
      'accept-encoding': 'gzip, deflate, br',
    };
    // Validators belong to the URL asked for, not to wherever it redirects.
    if (redirects === 0 && opts.etag) headers['if-none-match'] = opts.etag;
    if (redirects === 0 && opts.lastModified) headers['if-modified-since'] = opts.lastModified;
    const hop = await requestOnce(url, opts, headers, deadline);
    const h = (k: string) => (typeof hop.headers[k] === 'string' ? (hop.headers[k] as string) : null);
    const status = hop.status;
    if (status >= 300 && status < 400 && status !== 304) {
      const location = h('location');
      if (!location) throw fetchError('status', `${url.href} answered ${status} without a Location`, { status });
      if (redirects >= maxRedirects) throw fetchError('redirects', `${rawUrl}: more than ${maxRedirects} redirects`);
      url = parseFetchUrl(new URL(location, url).toString());
      continue;
    }
    if (status !== 304 && (status < 200 || status >= 300))
      throw fetchError('status', `${url.href} answered HTTP ${status}`, { status });
    return {
      url: url.toString(),
      status,
      notModified: status === 304,
      contentType: h('content-type') ?? '',
      etag: h('etag'),
      lastModified: h('last-modified'),
      body: hop.body,
      redirects,
    };
  }
}
