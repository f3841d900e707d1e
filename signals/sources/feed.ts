// RSS 2.0, Atom and RDF feeds (news and funding feeds, company blogs, news search per account,
// SEC EDGAR Form D): decoded in their declared charset, HTML stripped, links made absolute.
import { createHash } from 'node:crypto';
import type Parser from 'rss-parser';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { decodeBody, stripXmlEncoding } from '../../net/decode.js';
import { safeFetch } from '../../net/http.js';
import { absolute } from '../../html/url.js';
import { htmlToText, linksIn, parseDate } from '../text.js';
import type { PollContext, RawItem, SourceModule, SourceSpec } from '../types.js';

const FeedConfig = z.object({
  /** Every item belongs to this account (the company's own blog or newsroom feed). */
  accountId: z.number().int().positive().optional(),
  /**
   * A news search feed per account: `{query}` in the URL becomes this (e.g. the company's name
   * in https://news.example/rss/search?q={query}). Leave accountId unset so matching decides.
   */
  query: z.string().trim().min(1).max(200).optional(),
  /** Items older than this are ignored (the first poll of a long feed is not all news). */
  maxAgeDays: z.number().int().positive().max(3650).default(30),
  demo: z.boolean().optional(),
});
type FeedConfig = z.infer<typeof FeedConfig>;

type Extra = { contentEncoded?: string; dcDate?: string; summary?: string; updated?: string; id?: string };
let feedParser: Parser<Record<string, unknown>, Extra> | undefined;
/** rss-parser loads with the first feed polled, not when the process starts. */
async function getParser(): Promise<Parser<Record<string, unknown>, Extra>> {
  const { default: RssParser } = await import('rss-parser');
  feedParser ??= new RssParser<Record<string, unknown>, Extra>({
    customFields: { item: [['content:encoded', 'contentEncoded'], ['dc:date', 'dcDate'], 'summary', 'updated', 'id'] },
    defaultRSS: 2.0,
  });
  return feedParser;
}

/** Parses a feed document into items; pure apart from the clock passed in. */
export async function parseFeed(
  xml: string,
  feedUrl: string,
  opts: { now: Date; maxAgeDays?: number; accountId?: number },
): Promise<RawItem[]> {
  const parser = await getParser();
  let feed: Awaited<ReturnType<typeof parser.parseString>> | undefined;
  const doc = stripXmlEncoding(xml);
  try {
    feed = await parser.parseString(doc);
  } catch (cause) {
    // The most common breakage in the wild is a bare "&" in a title; mend that one and retry.
    const mended = doc.replace(/&(?!#\d+;|#x[\da-f]+;|[a-z][\w.-]*;)/gi, '&amp;');
    if (mended !== doc) feed = await parser.parseString(mended).catch(() => undefined);
    if (!feed)
      throw new AppError(
        'PARSE_FAILED',
        `not a readable RSS/Atom/RDF feed: ${(cause as Error).message.split('\n')[0]}`,
        { cause },
      );
  }
  const base = absolute(feed.link, feedUrl) ?? feedUrl;
  const oldest = opts.now.getTime() - (opts.maxAgeDays ?? 30) * 86_400_000;
  const items: RawItem[] = [];
  for (const it of feed.items ?? []) {
    const html = it.contentEncoded ?? it.content ?? it.summary ?? '';
    const title = htmlToText(it.title, 500);
    const summary = htmlToText(it.contentSnippet && it.contentSnippet.length > 20 ? it.contentSnippet : html, 1500);
    if (!title && !summary) continue;
    const publishedAt = parseDate(it.isoDate ?? it.pubDate ?? it.dcDate ?? it.updated, opts.now);
    if (publishedAt && publishedAt.getTime() < oldest) continue;
    const url = absolute(it.link, base);
    const key =
      it.guid ??
      it.id ??
      url ??
      createHash('sha1')
        .update(title + summary)
        .digest('hex');
    items.push({
      key: String(key).slice(0, 500),
      title: title || summary.slice(0, 140),
      summary,
      url,
      publishedAt,
      links: linksIn(html, url ?? base),
      accountId: opts.accountId,
    });
  }
  return items;
}

/** The URL to fetch: `{query}` filled in, URL-encoded. */
function feedUrl(url: string, config: Pick<FeedConfig, 'query'>): string {
  return url.includes('{query}') ? url.replaceAll('{query}', encodeURIComponent(config.query ?? '')) : url;
}

async function poll(source: SourceSpec & { config: FeedConfig }, ctx: PollContext) {
  const r = await safeFetch(feedUrl(source.url!, source.config), {
    ...ctx.fetch,
    etag: source.etag,
    lastModified: source.lastModified,
    accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1',
  });
  if (r.notModified) return { notModified: true, items: [] };
  const items = await parseFeed(decodeBody(r.body, r.contentType), r.url, {
    now: ctx.now,
    maxAgeDays: source.config.maxAgeDays,
    accountId: source.config.accountId,
  });
  return { notModified: false, items, etag: r.etag, lastModified: r.lastModified, finalUrl: r.url };
}

export const feedSource: SourceModule<FeedConfig> = {
  kind: 'feed',
  label: 'RSS / Atom feed',
  polled: true,
  config: FeedConfig,
  poll,
};
