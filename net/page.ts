// One web page as text, through safeFetch and an injected cache: a fresh cached copy is used
// as is; an expired one is revalidated with its ETag/Last-Modified; when the site is down (5xx,
// unreachable, too slow) the expired copy is returned marked stale rather than nothing.
import type { AddressPolicy } from './address.js';
import { DEFAULT_TTL_MS, type CachedPage, type PageCache } from './cache.js';
import { decodeBody } from './decode.js';
import { isOutage } from './errors.js';
import { DEFAULT_LIMITS, safeFetch, type FetchLimits } from './http.js';

export interface PageOptions extends AddressPolicy {
  limits?: Partial<FetchLimits>;
  cache?: PageCache;
  ttlMs?: number;
  now?: () => Date;
  userAgent?: string;
  /** Which content types to read (default: HTML); others are FETCH_SKIPPED, reason content_type. */
  acceptType?: (contentType: string) => boolean;
  signal?: AbortSignal;
}

interface FetchedPage {
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

const isHtml = (ct: string) => /^(text\/html|application\/xhtml\+xml)\b/i.test(ct);

function fromCached(c: CachedPage, fromCache = true): FetchedPage {
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

/** Fetches `url` (from the cache when fresh; the expired copy, marked stale, when the site is down). */
export async function fetchPage(url: string, opts: PageOptions): Promise<FetchedPage> {
  const cached = await opts.cache?.get(url);
  const now = opts.now ?? (() => new Date());
  if (cached && cached.expiresAt > now()) return fromCached(cached);
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const expires = () => new Date(now().getTime() + (opts.ttlMs ?? DEFAULT_TTL_MS));
  let r;
  try {
    r = await safeFetch(url, {
      allowPrivate: opts.allowPrivate,
      allowPrefixes: opts.allowPrefixes,
      ...limits,
      userAgent: opts.userAgent,
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      acceptType: opts.acceptType ?? isHtml,
      etag: cached?.etag,
      lastModified: cached?.lastModified,
      signal: opts.signal,
    });
  } catch (err) {
    if (cached && isOutage(err)) return { ...fromCached(cached), stale: true };
    throw err;
  }
  if (r.notModified && cached) {
    const refreshed = { ...cached, expiresAt: expires() };
    await opts.cache?.put(refreshed);
    return fromCached(refreshed);
  }
  const page: CachedPage = {
    url,
    status: r.status,
    contentType: r.contentType,
    body: decodeBody(r.body, r.contentType),
    rendered: false,
    fetchedAt: now(),
    etag: r.etag,
    lastModified: r.lastModified,
    expiresAt: expires(),
  };
  await opts.cache?.put(page);
  return { ...fromCached(page, false), finalUrl: r.url };
}
