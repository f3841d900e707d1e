// The page cache interface fetchPage is given (research injects the shared table in
// `page_cache`; tests and the CLI a map): pages by URL with their validators, so five signals
// on one account in a week fetch its site once, and after the TTL a conditional request
// (ETag/Last-Modified) usually gets a 304.
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

/** A week: "five signals on one account in a week fetch its site once". */
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
