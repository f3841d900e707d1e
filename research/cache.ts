// The page cache research gives net/'s fetchPage: the shared `page_cache` table, used by every
// worker (the cache rules themselves are in net/page.ts).
import type { Queryable } from '../db/index.js';
import { one, run } from '../db/index.js';
import { getCachedPage, putCachedPage } from '../db/queries/research.js';
import type { CachedPage, PageCache } from '../net/cache.js';

/** The shared cache in `page_cache`, used by every worker. */
export class DbPageCache implements PageCache {
  constructor(private readonly db: Queryable) {}
  async get(url: string): Promise<CachedPage | undefined> {
    const r = await one(this.db, getCachedPage(url));
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
