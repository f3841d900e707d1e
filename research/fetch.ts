// One page over HTTP(S) within limits: time, size, redirects, content type, the private-address
// rule on every hop, and the page cache with conditional requests.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import iconv from 'iconv-lite';
import { AppError, isAppError } from '../errors.js';
import { DEFAULT_TTL_MS, type CachedPage, type PageCache } from './cache.js';
import { checkUrl, guardedLookup, type AddressPolicy } from './net.js';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}
export const DEFAULT_LIMITS: FetchLimits = { timeoutMs: 15_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 5 };
export const USER_AGENT = 'ProspectorBot/0.1 (+self-hosted research agent)';

export interface FetchOptions extends AddressPolicy {
  limits?: Partial<FetchLimits>;
  cache?: PageCache;
  ttlMs?: number;
  now?: () => Date;
  /** Which content types to read; others are skipped (FETCH_SKIPPED, reason content_type). */
  accept?: (contentType: string) => boolean;
  signal?: AbortSignal;
}

export interface FetchedPage {
  url: string;
  finalUrl: string;
  status: number;
  contentType: string;
  body: string;
  fetchedAt: Date;
  fromCache: boolean;
  rendered: boolean;
  /** The site failed (down, slow, 5xx) and this is the expired cached copy. */
  stale?: boolean;
}

export const isHtml = (ct: string) => /^(text\/html|application\/xhtml\+xml)\b/i.test(ct);

export function fetchError(reason: string, message: string, opts: { cause?: unknown; status?: number } = {}): AppError {
  const code =
    reason === 'content_type' || reason === 'robots'
      ? 'FETCH_SKIPPED'
      : reason === 'blocked'
        ? 'FETCH_BLOCKED'
        : 'FETCH_FAILED';
  return new AppError(code, message, { cause: opts.cause, details: { reason, status: opts.status } });
}

export function fromCached(c: CachedPage, fromCache = true): FetchedPage {
  return {
    url: c.url,
    finalUrl: c.url,
    status: c.status,
    contentType: c.contentType ?? '',
    body: c.body,
    fetchedAt: c.fetchedAt,
    fromCache,
    rendered: c.rendered,
  };
}

function requestOnce(
  url: URL,
  headers: Record<string, string>,
  policy: AddressPolicy,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers, signal, lookup: guardedLookup(policy, url.href) as never }, resolve);
    req.on('error', reject);
  });
}

async function readBody(res: IncomingMessage, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    res.destroy();
    throw fetchError('too_large', `${url} is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      res.destroy();
      throw fetchError('too_large', `${url} is over the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function decode(buf: Buffer, contentType: string): string {
  const charset = /charset="?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8';
  return iconv.encodingExists(charset) ? iconv.decode(buf, charset) : buf.toString('utf8');
}

/**
 * Fetches `url` (from the cache when fresh; the expired copy, marked stale, when the site is down).
 * Throws AppError FETCH_FAILED / FETCH_BLOCKED / FETCH_SKIPPED with details.reason.
 */
export async function fetchPage(url: string, opts: FetchOptions): Promise<FetchedPage> {
  const cached = await opts.cache?.get(url);
  try {
    return await fetchFresh(url, opts, cached);
  } catch (err) {
    const d = isAppError(err) ? (err.details as { reason?: string; status?: number }) : undefined;
    const outage =
      d?.reason === 'network' || d?.reason === 'timeout' || (d?.reason === 'status' && (d.status ?? 0) >= 500);
    if (cached && outage) return { ...fromCached(cached), stale: true };
    throw err;
  }
}

async function fetchFresh(url: string, opts: FetchOptions, cached: CachedPage | undefined): Promise<FetchedPage> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const now = opts.now ?? (() => new Date());
  const accept = opts.accept ?? isHtml;
  if (cached && cached.expiresAt > now()) return fromCached(cached);

  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  let current = new URL(url);
  try {
    for (let hop = 0; ; hop++) {
      checkUrl(current, opts);
      const headers: Record<string, string> = {
        'user-agent': USER_AGENT,
        accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      };
      if (cached && hop === 0) {
        if (cached.etag) headers['if-none-match'] = cached.etag;
        if (cached.lastModified) headers['if-modified-since'] = cached.lastModified;
      }
      const res = await requestOnce(current, headers, opts, signal);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
        res.resume();
        if (hop + 1 > limits.maxRedirects)
          throw fetchError('redirects', `${url}: more than ${limits.maxRedirects} redirects`);
        current = new URL(res.headers.location, current);
        continue;
      }
      if (status === 304 && cached) {
        res.resume();
        const refreshed = { ...cached, expiresAt: new Date(now().getTime() + (opts.ttlMs ?? DEFAULT_TTL_MS)) };
        await opts.cache?.put(refreshed);
        return fromCached(refreshed);
      }
      if (status >= 400 || status < 200) {
        res.resume();
        throw fetchError('status', `${current.href} answered HTTP ${status}`, { status });
      }
      const contentType = String(res.headers['content-type'] ?? '');
      if (!accept(contentType)) {
        res.destroy();
        throw fetchError(
          'content_type',
          `${current.href} is ${contentType || 'of no stated type'}, not a web page: skipped`,
        );
      }
      const body = decode(await readBody(res, limits.maxBytes, current.href), contentType);
      const fetchedAt = now();
      const page: CachedPage = {
        url,
        status,
        contentType,
        body,
        rendered: false,
        fetchedAt,
        etag: (res.headers.etag as string | undefined) ?? null,
        lastModified: (res.headers['last-modified'] as string | undefined) ?? null,
        expiresAt: new Date(fetchedAt.getTime() + (opts.ttlMs ?? DEFAULT_TTL_MS)),
      };
      await opts.cache?.put(page);
      return { ...fromCached(page, false), finalUrl: current.href };
    }
  } catch (err) {
    if (isAppError(err)) throw err;
    if (timeout.aborted)
      throw fetchError('timeout', `${url}: no complete answer within ${limits.timeoutMs / 1000} s`, { cause: err });
    if (opts.signal?.aborted)
      throw fetchError('time_limit', `${url}: stopped, the dossier ran out of time`, { cause: err });
    throw fetchError('network', `${url}: ${(err as Error).message}`, { cause: err });
  }
}
