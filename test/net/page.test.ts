import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryPageCache } from '../../net/cache.js';
import { guardedLookup } from '../../net/guard.js';
import { fetchPage } from '../../net/page.js';
import { startFixtureSites, type FixtureSites } from '../research/fixture-sites.js';

let sites: FixtureSites;
beforeAll(async () => {
  sites = await startFixtureSites();
});
afterAll(async () => sites.close());

const open = { allowPrivate: true };

describe('fetchPage', () => {
  it('reads a static page with its validators', async () => {
    const page = await fetchPage(`${sites.base}/static/`, open);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Inventory that counts itself');
    expect(page.fromCache).toBe(false);
  });

  it('stops a 20 MB page at the 5 MB limit', async () => {
    await expect(fetchPage(`${sites.base}/huge`, open)).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      details: { reason: 'too_large' },
    });
  });

  it('gives up on a slow page at the time limit', async () => {
    await expect(fetchPage(`${sites.base}/slow`, { ...open, limits: { timeoutMs: 300 } })).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      details: { reason: 'timeout' },
    });
  });

  it('stops a redirect loop after 5 redirects', async () => {
    const before = [0, 1, 2].reduce((n, i) => n + (sites.hits.get(`/loop/${i}`) ?? 0), 0);
    await expect(fetchPage(`${sites.base}/loop/0`, open)).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      details: { reason: 'redirects' },
    });
    const after = [0, 1, 2].reduce((n, i) => n + (sites.hits.get(`/loop/${i}`) ?? 0), 0);
    expect(after - before).toBe(6);
  });

  it('skips a PDF with a note instead of reading it', async () => {
    await expect(fetchPage(`${sites.base}/report.pdf`, open)).rejects.toMatchObject({
      code: 'FETCH_SKIPPED',
      details: { reason: 'content_type' },
    });
  });

  it('refuses loopback and private addresses unless allowed', async () => {
    for (const url of [
      `${sites.base}/static/`,
      'http://localhost/',
      'http://10.0.0.8/',
      'http://[::1]/',
      'http://169.254.169.254/latest/meta-data',
    ]) {
      await expect(fetchPage(url, { allowPrivate: false })).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    }
    await expect(fetchPage('file:///etc/passwd', open)).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
    // The rule is applied to what a name resolves to, at connect time.
    const err = await new Promise<unknown>((resolve) => guardedLookup(false)('localhost', {}, (e) => resolve(e)));
    expect(err).toMatchObject({ code: 'FETCH_BLOCKED' });
    // An allowed prefix (the app's own demo pages) passes even on loopback; the rest of that host does not.
    const page = await fetchPage(`${sites.base}/static/`, {
      allowPrivate: false,
      allowPrefixes: [`${sites.base}/static/`],
    });
    expect(page.status).toBe(200);
    await expect(
      fetchPage(`${sites.base}/static/../jsonld/`, { allowPrivate: false, allowPrefixes: [`${sites.base}/static/`] }),
    ).rejects.toMatchObject({ code: 'FETCH_BLOCKED' });
  });

  it('serves a fresh page from the cache and revalidates a stale one with its ETag', async () => {
    const cache = new MemoryPageCache();
    let now = new Date('2030-01-01T00:00:00Z');
    const opts = { ...open, cache, now: () => now, ttlMs: 3600_000 };
    const url = `${sites.base}/etag/`;
    const first = await fetchPage(url, opts);
    const second = await fetchPage(url, opts);
    expect(first.fromCache).toBe(false);
    expect(second).toMatchObject({ fromCache: true, body: first.body });
    expect(sites.hits.get('/etag/')).toBe(1);
    now = new Date(now.getTime() + 2 * 3600_000);
    const third = await fetchPage(url, opts);
    expect(sites.hits.get('/etag/')).toBe(2);
    expect(third).toMatchObject({ fromCache: true, body: first.body });
    expect(cache.pages.get(url)!.expiresAt.getTime()).toBe(now.getTime() + 3600_000);
    // Expired again and the site is down: the old copy, marked stale, rather than nothing.
    now = new Date(now.getTime() + 2 * 3600_000);
    sites.down.add('/etag/');
    try {
      expect(await fetchPage(url, opts)).toMatchObject({ fromCache: true, stale: true, body: first.body });
      await expect(fetchPage(url, { ...open, now: () => now })).rejects.toMatchObject({
        details: { reason: 'status', status: 503 },
      });
    } finally {
      sites.down.delete('/etag/');
    }
  });
});
