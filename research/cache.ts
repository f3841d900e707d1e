// Pages cached by URL with their validators, so five signals on one account in a week fetch
// its site once, and after the TTL a conditional request (ETag/Last-Modified) usually gets a 304.
import type { Queryable } from '../db/index.js';
import { one, run } from '../db/index.js';
import { getCachedPage, putCachedPage } from '../db/queries/research.js';

export interface CachedPage {
  url: string;
  status: number;
  contentType: string | null;
  etag: string | null;
  lastModified: string | null;
  body: string;
  rendered: boolean;
  fetchedAt: Date;
  expiresAt: Date;
}

export interface PageCache {
  get(url: string): Promise<CachedPage | undefined>;
  put(page: CachedPage): Promise<void>;
}

/** A week: the "five signals on one account in a week fetch its site once". */
export const DEFAULT_TTL_MS = 7 * 24 * 3600_000;

export class MemoryPageCache implements PageCache {
  readonly pages = new Map<string, CachedPage>();
  async get(url: string) {
    return this.pages.get(url);
  }
  async put(page: CachedPage) {
    this.pages.set(page.url, page);
  }
}

interface PageCacheRow {
  url: string;
  status: number;
  content_type: string | null;
  etag: string | null;
  last_modified: string | null;
  body: string | null;
  rendered: boolean;
  fetched_at: Date;
  expires_at: Date;
}

/** The shared cache in `page_cache`, used by every worker. */
export class DbPageCache implements PageCache {
  constructor(private readonly db: Queryable) {}
  async get(url: string): Promise<CachedPage | undefined> {
    const r = await one<PageCacheRow>(this.db, getCachedPage(url));
    if (!r || r.body === null) return undefined;
    return {
      url: r.url,
      status: r.status,
      contentType: r.content_type,
      etag: r.etag,
      lastModified: r.last_modified,
      body: r.body,
      rendered: r.rendered,
      fetchedAt: r.fetched_at,
      expiresAt: r.expires_at,
    };
  }
  async put(page: CachedPage): Promise<void> {
    await run(this.db, putCachedPage(page));
  }
}
