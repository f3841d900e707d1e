// Each source kind against a local server: real feed shapes, broken XML, job-board JSON,
// a page whose list changes, robots.txt, and a page that needs script (real Chromium).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeed } from '../../signals/sources/feed.js';
import { pageRobots } from '../../signals/sources/page.js';
import { fetchSource } from '../../signals/poll.js';
import { chromiumRenderer } from '../../net/browser.js';
import { lacks } from '../support/programs.js';
import type { PollContext, SourceKind, SourceSpec } from '../../signals/types.js';
import { fixtureServer, send, type FixtureServer } from './http-fixture.js';

const fixture = (p: string) => readFileSync(new URL(`../fixtures/signals/${p}`, import.meta.url));
const NOW = new Date('2026-03-01T12:00:00Z');
const FOREVER = { now: NOW, maxAgeDays: 20_000 };
let srv: FixtureServer;
/** One Chromium for the suite (what the application context would own), closed after. */
const renderer = chromiumRenderer();
const ctx = (over: Partial<PollContext> = {}): PollContext => ({
  fetch: { allowPrivate: true, timeoutMs: 10_000 },
  now: NOW,
  ...over,
});
const spec = (
  kind: SourceKind,
  url: string,
  config: Record<string, unknown> = {},
  snapshot: unknown = null,
): SourceSpec => ({ id: 1, workspaceId: 1, kind, url, config, etag: null, lastModified: null, snapshot });

let newsroom = ['Acme opens Berlin office for EMEA growth', 'Acme joins the Open Data Alliance today'];
beforeAll(async () => {
  srv = await fixtureServer({
    '/feeds/latin1.rss': send('text/xml; charset=latin1', fixture('feeds/encoding.rss')),
    '/feeds/broken.xml': send('application/rss+xml', '<rss><channel><item><title>Unclosed'),
    '/feeds/not-a-feed': send('text/html', '<html><body>Hello</body></html>'),
    '/feeds/odd.xml': send(
      'application/rss+xml',
      `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://news.example/</link>
      <item><title><![CDATA[Acme <b>raises</b> $20 million Series A]]></title><link>/2026/acme-series-a</link>` +
        `<description><![CDATA[<p>Led by <a href="https://acme.example/blog">Foo Ventures</a> &amp; ` +
        `friends.</p>]]></description><pubDate>2026-02-27 09:30:00</pubDate></item>
      <item><title>No date at all</title><link>relative/path</link><description>Plain &lt;i&gt;escaped&lt;/i&gt; HTML</description></item>
      <item><title>From the future</title><link>https://news.example/f</link><pubDate>Mon, 01 Jan 2035 00:00:00 GMT</pubDate></item>
      <item><title>Too old</title><link>https://news.example/old</link><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
    </channel></rss>`,
    ),
    '/robots.txt': send('text/plain', 'User-agent: *\nDisallow: /private/\n'),
    '/newsroom': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<html><body><nav><a href="/about">About our company and mission statement</a></nav><main><h1>News</h1>
        <ul class="news">${newsroom
          .map((t) => `<li><a href="/news/${t.split(' ').slice(1, 3).join('-').toLowerCase()}">${t}</a></li>`)
          .join('')}</ul></main>
        <footer><a href="/privacy">Privacy policy and cookie settings page</a></footer></body></html>`,
      );
    },
    '/private/page': send('text/html', '<a href="/x">Something that is long enough</a>'),
    '/team': send(
      'text/html',
      `<main><div class="person"><h3>Jane Smith</h3><p>Chief Executive Officer</p></div>
      <div class="person"><h3>Raj Patel</h3><p>VP of Sales</p></div><div class="person"><h3>Our Values</h3><p>We care</p></div></main>`,
    ),
    '/script-page': send(
      'text/html',
      `<html><body><div id="app"></div><script>
      document.getElementById('app').innerHTML = ['Acme expands into Japan with Tokyo office', ` +
        `'Acme launches Acme Cloud for enterprises', 'Acme names Jane Smith chief revenue officer']
        .map(function (t, i) { return '<article><a href="/js/' + i + '">' + t + '</a></article>'; }).join('');
    </script></body></html>`,
    ),
    '/v1/boards/acme/jobs': send('application/json', fixture('job-boards/docs-list-jobs-content-true.json')),
    '/v0/postings/acme': send(
      'application/json',
      JSON.stringify([
        {
          id: 'a1',
          text: 'Senior SDR',
          categories: { team: 'Sales', location: 'Austin' },
          hostedUrl: 'https://jobs.lever.co/acme/a1',
          createdAt: 1767225600000,
        },
        {
          id: 'a2',
          text: 'Backend Engineer',
          categories: { team: 'Engineering', location: 'Remote' },
          hostedUrl: 'https://jobs.lever.co/acme/a2',
          createdAt: 1767225600000,
        },
      ]),
    ),
    '/posting-api/job-board/acme': send(
      'application/json',
      JSON.stringify({
        jobs: [
          {
            id: 'x1',
            title: 'Head of Revenue Operations',
            department: 'G&A',
            location: 'NYC',
            jobUrl: 'https://jobs.ashbyhq.com/acme/x1',
            publishedAt: '2026-02-20T00:00:00Z',
            isListed: true,
          },
          {
            id: 'x2',
            title: 'Account Executive',
            department: 'Sales',
            location: 'London',
            jobUrl: 'https://jobs.ashbyhq.com/acme/x2',
            publishedAt: '2026-02-20T00:00:00Z',
            isListed: false,
          },
          {
            id: 'x3',
            title: 'Designer',
            department: 'Design',
            location: 'NYC',
            jobUrl: 'https://jobs.ashbyhq.com/acme/x3',
            publishedAt: '2026-02-20T00:00:00Z',
            isListed: true,
          },
        ],
      }),
    ),
    '/v1/boards/bad/jobs': send('application/json', '{"items": []}'),
  });
});
afterAll(async () => {
  await renderer?.close();
  await srv.close();
});

describe('feeds', () => {
  it.each([
    ['rss-1.rss', 'RDF'],
    ['heise.atom', 'Atom'],
    ['heraldsun.rss', 'RSS 2.0'],
    ['content-encoded.rss', 'RSS 2.0 with content:encoded'],
  ])('reads %s (%s) like rss-parser’s golden output', async (file) => {
    const expected = JSON.parse(fixture(`feeds/${file.replace(/\.\w+$/, '')}.expected.json`).toString()).feed as {
      items: { title?: string; link?: string }[];
    };
    const items = await parseFeed(fixture(`feeds/${file}`).toString(), 'https://feed.example/', FOREVER);
    const titled = expected.items.filter((i) => i.title || i.link);
    expect(items.length).toBe(titled.length);
    expect(items[0]!.title).toBe(expected.items[0]!.title!.replace(/\s+/g, ' ').trim());
    if (expected.items[0]!.link)
      expect(items[0]!.url).toBe(new URL(expected.items[0]!.link, 'https://feed.example/').toString());
    for (const it of items) expect(it.summary).not.toMatch(/<[a-z]/i);
  });

  it('reads incomplete and missing fields without failing', async () => {
    expect(
      (await parseFeed(fixture('feeds/incomplete-fields.atom').toString(), 'https://f.example/', FOREVER)).length,
    ).toBeGreaterThanOrEqual(0);
    expect(
      await parseFeed(fixture('feeds/missing-fields.atom').toString(), 'https://f.example/', FOREVER),
    ).toBeInstanceOf(Array);
  });

  it('decodes a Latin-1 feed served over HTTP', async () => {
    const r = await fetchSource(spec('feed', `${srv.base}/feeds/latin1.rss`, { maxAgeDays: 3650 }), ctx());
    const expected = JSON.parse(fixture('feeds/encoding.expected.json').toString('latin1')).feed.items[0]
      .title as string;
    expect(r.items[0]!.title).toBe(expected);
    expect(r.items.some((i) => /[çãéí]/.test(i.title))).toBe(true);
  });

  it('handles CDATA, HTML, relative links, odd, missing, future and old dates', async () => {
    const r = await fetchSource(spec('feed', `${srv.base}/feeds/odd.xml`), ctx());
    const [a, b, c] = r.items;
    expect(r.items).toHaveLength(3);
    expect(a).toMatchObject({
      title: 'Acme raises $20 million Series A',
      url: 'https://news.example/2026/acme-series-a',
      summary: 'Led by Foo Ventures & friends.',
    });
    expect(a!.publishedAt?.toISOString()).toBe('2026-02-27T09:30:00.000Z');
    expect(a!.links).toContain('https://acme.example/blog');
    expect(b).toMatchObject({
      url: 'https://news.example/relative/path',
      publishedAt: null,
      summary: 'Plain escaped HTML',
    });
    expect(c).toMatchObject({ title: 'From the future', publishedAt: null });
  });

  it('fills {query} for a news search feed per account, and mends a bare & in the XML', async () => {
    srv.route('/search', (req, res) => {
      const q = new URL(req.url!, srv.base).searchParams.get('q');
      void send(
        'application/rss+xml',
        `<rss version="2.0"><channel><title>search</title><link>https://news.example/</link>` +
          `<item><title>${q} expands into Japan</title><link>https://news.example/j</link></item></channel></rss>`,
      )(req, res);
    });
    const r = await fetchSource(spec('feed', `${srv.base}/search?q={query}`, { query: 'Lumen Health & Co' }), ctx());
    expect(r.items[0]!.title).toBe('Lumen Health & Co expands into Japan');
  });

  it('refuses broken XML and HTML with a parse error', async () => {
    await expect(fetchSource(spec('feed', `${srv.base}/feeds/broken.xml`), ctx())).rejects.toMatchObject({
      code: 'PARSE_FAILED',
    });
    await expect(fetchSource(spec('feed', `${srv.base}/feeds/not-a-feed`), ctx())).rejects.toMatchObject({
      code: 'PARSE_FAILED',
    });
  });
});

describe('watched pages', () => {
  it('records the list on the first poll, then reports only what is new', async () => {
    pageRobots.clear();
    const first = await fetchSource(spec('page', `${srv.base}/newsroom`), ctx());
    expect(first.items).toEqual([]);
    expect((first.snapshot as { entries: unknown[] }).entries).toHaveLength(2);
    newsroom = ['Acme launches Acme Cloud in general availability', ...newsroom];
    const second = await fetchSource(spec('page', `${srv.base}/newsroom`, {}, first.snapshot), ctx());
    expect(second.items.map((i) => i.title)).toEqual(['Acme launches Acme Cloud in general availability']);
    expect(second.items[0]!.url).toBe(`${srv.base}/news/launches-acme`);
  });

  it('uses CSS selectors when given', async () => {
    const r = await fetchSource(
      spec('page', `${srv.base}/newsroom`, { itemSelector: 'ul.news li', emitInitial: true }),
      ctx(),
    );
    expect(r.items.length).toBe(newsroom.length);
  });

  it('finds people and their titles on a team page; a new person is a job change', async () => {
    const first = await fetchSource(spec('page', `${srv.base}/team`, { mode: 'people', emitInitial: true }), ctx());
    expect(first.items.map((i) => i.facts)).toEqual([
      { person: 'Jane Smith', newTitle: 'Chief Executive Officer' },
      { person: 'Raj Patel', newTitle: 'VP of Sales' },
    ]);
    expect(first.items[0]).toMatchObject({ type: 'job_change', subtype: 'joined' });
  });

  it('honours robots.txt', async () => {
    pageRobots.clear();
    await expect(fetchSource(spec('page', `${srv.base}/private/page`), ctx())).rejects.toMatchObject({
      code: 'FETCH_SKIPPED',
      details: { reason: 'robots' },
    });
  });

  // Without Chromium this test is left out and named in the run's closing line (test/support/programs.ts).
  it.skipIf(lacks('Chromium'))(
    'renders a page that builds its list with script (Chromium)',
    async () => {
      expect(renderer, 'Chromium is installed (apt-get install chromium)').toBeTruthy();
      const r = await fetchSource(spec('page', `${srv.base}/script-page`, { emitInitial: true }), ctx({ renderer }));
      expect(r.items.map((i) => i.title)).toContain('Acme launches Acme Cloud for enterprises');
    },
    60_000,
  );
});

describe('job boards', () => {
  it('Greenhouse: roles matching keywords or departments become hiring items', async () => {
    const r = await fetchSource(
      spec('greenhouse', `${srv.base}/v1/boards/acme/jobs`, { keywords: ['Designer'], departments: [] }),
      ctx(),
    );
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({
      type: 'hiring',
      key: '127817',
      facts: { role: 'Vault Designer', department: 'Department of Departments', location: 'NYC' },
      company: { name: 'acme' },
    });
    const again = await fetchSource(
      spec('greenhouse', `${srv.base}/v1/boards/acme/jobs`, { keywords: ['Designer'] }, r.snapshot),
      ctx(),
    );
    expect(again.items).toEqual([]);
  });

  it('Lever and Ashby: default sales keywords, unlisted roles skipped', async () => {
    const lever = await fetchSource(spec('lever', `${srv.base}/v0/postings/acme?mode=json`), ctx());
    expect(lever.items.map((i) => i.facts!.role)).toEqual(['Senior SDR']);
    const ashby = await fetchSource(spec('ashby', `${srv.base}/posting-api/job-board/acme`), ctx());
    expect(ashby.items.map((i) => i.facts!.role)).toEqual(['Head of Revenue Operations']);
  });

  it('says when the answer is not a job board', async () => {
    await expect(fetchSource(spec('greenhouse', `${srv.base}/v1/boards/bad/jobs`), ctx())).rejects.toMatchObject({
      code: 'PARSE_FAILED',
    });
  });
});
