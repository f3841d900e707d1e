// The heuristic extractor (no LLM): title, meta description, JSON-LD, lead paragraphs and the
// signal's own sentences. Every quote is cut from the page text, so it is verbatim by construction.
import { injectionFlags } from './injection.js';
import { normalizeSpace, type ParsedPage } from './page.js';
import type { Fact, FactKind, PageKind } from './types.js';

export interface SourcePage {
  url: string;
  kind: PageKind;
  fetchedAt: Date;
  parsed: ParsedPage;
}

export interface ExtractContext {
  accountName?: string;
  signalTitle?: string;
}

const FACT_KIND_OF_PAGE: Record<PageKind, FactKind> = {
  signal: 'signal',
  home: 'company',
  about: 'company',
  news: 'news',
  careers: 'hiring',
  product: 'product',
};

function sentences(paragraph: string): string[] {
  return paragraph
    .split(/(?<=[.!?])\s+(?=["“(]?[A-Z0-9])/)
    .map(normalizeSpace)
    .filter((s) => s.length >= 25);
}

export function makeFact(page: SourcePage, kind: FactKind, text: string, quote: string): Fact {
  return {
    kind,
    text: normalizeSpace(text),
    quote: normalizeSpace(quote),
    sourceUrl: page.url,
    fetchedAt: page.fetchedAt,
    flags: injectionFlags(quote, text),
  };
}

const SIGNAL_WORDS = new RegExp(
  [
    String.raw`\b(rais(e|es|ed|ing)|fund(ing|ed)|series [a-e]|seed|invest(ors?|ment|ed)|acquir(e|es|ed|ition)|`,
    String.raw`appoint(s|ed)?|hire[sd]?|hiring|join(s|ed)|launch(es|ed)?|expan(d|ds|ded|sion)|partner(s|ship)?|`,
    String.raw`announce[sd]?|million|billion)\b`,
  ].join(''),
  'i',
);

function signalFacts(page: SourcePage, ctx: ExtractContext): Fact[] {
  const name = ctx.accountName?.split(/\s+/)[0]?.toLowerCase();
  const mentions = (s: string) => SIGNAL_WORDS.test(s) || (!!name && s.toLowerCase().includes(name));
  const title = page.parsed.title;
  const out: Fact[] = title && mentions(title) ? [makeFact(page, 'signal', title, title)] : [];
  for (const p of page.parsed.paragraphs) {
    for (const s of sentences(p)) {
      if (out.length >= 4) return out;
      if (mentions(s)) out.push(makeFact(page, 'signal', s, s));
    }
  }
  return out;
}

function leadFacts(page: SourcePage, count: number): Fact[] {
  const kind = FACT_KIND_OF_PAGE[page.kind];
  return page.parsed.paragraphs.slice(0, count).map((p) => {
    const lead = sentences(p).slice(0, 2).join(' ') || p;
    const quote = lead.length > 400 ? lead.slice(0, 400).replace(/\s+\S*$/, '') : lead;
    return makeFact(page, kind, quote, quote);
  });
}

const ORG_TYPES = /^(Organization|Corporation|LocalBusiness|Company|NGO|EducationalOrganization|OnlineBusiness)$/;

export function organizationNode(page: SourcePage): Record<string, unknown> | undefined {
  return page.parsed.jsonLd.find((n) => [n['@type']].flat().some((t) => typeof t === 'string' && ORG_TYPES.test(t)));
}

function jsonLdFacts(page: SourcePage): Fact[] {
  const org = organizationNode(page);
  if (!org) return [];
  const out: Fact[] = [];
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const name = str(org.name) ?? 'The company';
  const description = str(org.description);
  if (description) out.push(makeFact(page, 'organization', description, description));
  const founded = str(org.foundingDate);
  if (founded) out.push(makeFact(page, 'organization', `${name} was founded in ${founded}.`, founded));
  const address = org.address as Record<string, unknown> | undefined;
  const locality = str(address?.addressLocality);
  if (locality) out.push(makeFact(page, 'organization', `${name} is headquartered in ${locality}.`, locality));
  return out;
}

/** Facts without an LLM, in order: the signal's sentences, then each page's best lines. */
export function heuristicFacts(pages: SourcePage[], ctx: ExtractContext = {}): Fact[] {
  const facts: Fact[] = [];
  for (const page of pages) {
    if (page.kind === 'signal') {
      facts.push(...signalFacts(page, ctx));
      continue;
    }
    if (page.kind === 'home' && page.parsed.title)
      facts.push(makeFact(page, 'company', page.parsed.title, page.parsed.title));
    if (page.parsed.description)
      facts.push(makeFact(page, FACT_KIND_OF_PAGE[page.kind], page.parsed.description, page.parsed.description));
    facts.push(...jsonLdFacts(page));
    facts.push(...leadFacts(page, page.kind === 'home' || page.kind === 'about' ? 3 : 2));
  }
  return dedupe(facts);
}

export function dedupe(facts: Fact[]): Fact[] {
  const seen = new Set<string>();
  return facts.filter((f) => {
    const key = f.quote.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
