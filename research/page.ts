// What a fetched HTML page offers: title, meta description, JSON-LD, links, and its main text
// with navigation, cookie banners and footers dropped (Mozilla Readability over jsdom).
import { extractEntries } from '../html/page-entries.js';
import { createRequire } from 'node:module';
import * as cheerio from 'cheerio';

// jsdom and Readability (~60 MB of modules) load at the first page read, not when a process
// that never researches (a web-only or sending worker) starts. Both are CommonJS: required, so
// parsePage stays synchronous.
const require = createRequire(import.meta.url);
let readers:
  | {
      JSDOM: typeof import('jsdom').JSDOM;
      VirtualConsole: typeof import('jsdom').VirtualConsole;
      Readability: typeof import('@mozilla/readability').Readability;
    }
  | undefined;
function loadReaders() {
  if (!readers) {
    const jsdom = require('jsdom') as typeof import('jsdom');
    const readability = require('@mozilla/readability') as typeof import('@mozilla/readability');
    readers = { JSDOM: jsdom.JSDOM, VirtualConsole: jsdom.VirtualConsole, Readability: readability.Readability };
  }
  return readers;
}

export interface ParsedPage {
  url: string;
  title: string;
  description: string;
  jsonLd: Record<string, unknown>[];
  links: { href: string; text: string }[];
  /** Readable paragraphs of the main content, in order. */
  paragraphs: string[];
  /** Visible body text, whitespace-normalised: how much a page says without its scripts. */
  bodyText: string;
  /** Everything a quote may be taken from: title, description, body text, JSON-LD strings. */
  text: string;
  /** Has scripts other than JSON-LD: rendering might show more. */
  hasScripts: boolean;
  /** People named with a job title (team and leadership pages, articles). */
  people: { name: string; title: string }[];
}

export const normalizeSpace = (s: string) => s.replace(/\s+/g, ' ').trim();

const BOILERPLATE =
  'script, style, noscript, template, nav, footer, header, aside, [role=navigation], [aria-modal=true], ' +
  '[id*=cookie i], [class*=cookie i], [id*=consent i], [class*=consent i], [class*=banner i]';

function flattenJsonLd(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const v of value) flattenJsonLd(v, out);
  else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (obj['@graph']) flattenJsonLd(obj['@graph'], out);
    if (obj['@type']) out.push(obj);
  }
  return out;
}

function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

function readableParagraphs(html: string, url: string): string[] {
  const { JSDOM, VirtualConsole, Readability } = loadReaders();
  const dom = new JSDOM(html, { url, virtualConsole: new VirtualConsole() });
  try {
    const doc = dom.window.document;
    for (const el of doc.querySelectorAll(BOILERPLATE)) el.remove();
    const article = new Readability(doc).parse();
    if (!article?.content) return [];
    const $ = cheerio.load(article.content);
    return $('p, li, h1, h2, h3')
      .toArray()
      .map((el) => normalizeSpace($(el).text()))
      .filter((p) => p.length >= 40);
  } finally {
    dom.window.close();
  }
}

export function parsePage(html: string, url: string): ParsedPage {
  const $ = cheerio.load(html);
  const title = normalizeSpace($('title').first().text() || $('meta[property="og:title"]').attr('content') || '');
  const description = normalizeSpace(
    $('meta[name="description"]').attr('content') || $('meta[property="og:description"]').attr('content') || '',
  );
  const jsonLd: Record<string, unknown>[] = [];
  $('script[type="application/ld+json"]').each((_, el) => {
    try {
      flattenJsonLd(JSON.parse($(el).text()), jsonLd);
    } catch {
      // A broken JSON-LD block is the site's problem; the rest of the page still counts.
    }
  });
  const links: ParsedPage['links'] = [];
  $('a[href]').each((_, el) => {
    try {
      const href = new URL($(el).attr('href')!, url);
      if (href.protocol === 'http:' || href.protocol === 'https:')
        links.push({ href: href.href.replace(/#.*$/, ''), text: normalizeSpace($(el).text()) });
    } catch {
      // unparseable href
    }
  });
  const hasScripts = $('script')
    .toArray()
    .some((el) => !/json/i.test($(el).attr('type') ?? ''));
  $(BOILERPLATE).remove();
  const bodyText = normalizeSpace($('body').text());
  let paragraphs = readableParagraphs(html, url);
  if (paragraphs.length === 0)
    paragraphs = $('p')
      .toArray()
      .map((el) => normalizeSpace($(el).text()))
      .filter((p) => p.length >= 40);
  const text = [title, description, bodyText, ...stringsOf(jsonLd).map(normalizeSpace)].join('\n');
  const people = extractEntries(html, url, { mode: 'people' }).map((e) => ({
    name: e.person ?? e.title,
    title: e.role ?? '',
  }));
  return { url, title, description, jsonLd, links, paragraphs, bodyText, text, hasScripts, people };
}

/** Scripts and too little static text to be the real page: render it with a browser if one is available. */
export const looksEmpty = (p: ParsedPage) => p.hasScripts && p.bodyText.length < 200;
