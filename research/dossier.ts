// buildDossier: fetch the signal's article and a bounded crawl of the company's site, extract
// cited facts, and pick the contact's time zone. No database: the caller passes a page cache
// and saves the result (the research agent) or prints it (the CLI). Never throws for a dead
// site or a slow page: what went wrong is in `errors`, and the dossier holds what was found.
import pLimit from 'p-limit';
import { isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AddressPolicy } from '../net/address.js';
import type { Renderer } from '../net/browser.js';
import type { PageCache } from '../net/cache.js';
import { DEFAULT_LIMITS, type FetchLimits } from '../net/http.js';
import { fetchPage, type PageOptions } from '../net/page.js';
import { RobotsGate } from '../net/robots.js';
import { pickPages } from './crawl.js';
import { heuristicFacts, organizationNode, type ExtractContext, type SourcePage } from './facts.js';
import type { FactExtractor } from './llm-facts.js';
import { looksEmpty, parsePage } from './page.js';
import { createSiteMap, type SiteMap } from './sites.js';
import { chooseTimeZone } from './timezone.js';
import type { Dossier, DossierError, Fact, FoundPerson, Organization, PageKind, Person } from './types.js';

export interface DossierInput {
  /** The account's domain; its homepage is where the crawl starts. */
  domain?: string | null;
  /** Start here instead of the domain's homepage (the CLI given a URL). */
  homepageUrl?: string | null;
  accountName?: string;
  accountTimeZone?: string | null;
  needsBrowser?: boolean;
  signal?: { title: string; url?: string | null } | null;
  contact?: Omit<Person, 'role'> | null;
  ownerTimeZone?: string | null;
}

export interface DossierDeps {
  cache: PageCache;
  policy: AddressPolicy;
  /** The one User-Agent (net/identity.ts). */
  userAgent?: string;
  sites?: SiteMap;
  /** null: no Chromium here, static HTML only. */
  renderer?: Renderer | null;
  /** null: the heuristic extractor. */
  extractor?: FactExtractor | null;
  limits?: Partial<FetchLimits>;
  /** Pages from the company's site, homepage included. */
  maxPages?: number;
  /** The whole dossier's time budget. */
  maxTotalMs?: number;
  now?: () => Date;
  log?: Logger;
  /** Stops the dossier early (process shutdown); what was found so far is kept. */
  signal?: AbortSignal;
}

const DEFAULT_MAX_PAGES = 8;
const DEFAULT_MAX_TOTAL_MS = 90_000;

function toDossierError(url: string | undefined, err: unknown): DossierError {
  if (isAppError(err)) {
    const reason = (err.details as { reason?: string } | undefined)?.reason ?? 'error';
    return { url, code: err.code, reason, message: err.message };
  }
  return { url, code: 'FETCH_FAILED', reason: 'error', message: (err as Error).message };
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return (
      str(o.name) ??
      str(o.value) ??
      (o.minValue !== undefined ? `${str(o.minValue)}–${str(o.maxValue) ?? ''}` : undefined)
    );
  }
  return undefined;
}

/** People the pages name with a title, once each, the contact left out. */
function foundPeople(pages: SourcePage[], contactName?: string): FoundPerson[] {
  const seen = new Set(contactName ? [contactName.toLowerCase()] : []);
  const out: FoundPerson[] = [];
  for (const p of pages) {
    for (const x of p.parsed.people) {
      if (seen.has(x.name.toLowerCase()) || out.length >= 30) continue;
      seen.add(x.name.toLowerCase());
      out.push({ role: 'found', name: x.name, title: x.title, sourceUrl: p.url, source: p.kind });
    }
  }
  return out;
}

function organizationFrom(pages: SourcePage[]): Organization {
  for (const page of pages.filter((p) => p.kind !== 'signal')) {
    const node = organizationNode(page);
    if (!node) continue;
    const addr = node.address as Record<string, unknown> | undefined;
    const address =
      addr && typeof addr === 'object'
        ? {
            locality: str(addr.addressLocality),
            region: str(addr.addressRegion),
            country: str(addr.addressCountry),
            text: [addr.streetAddress, addr.addressLocality, addr.addressRegion, str(addr.addressCountry)]
              .filter((x) => typeof x === 'string')
              .join(', '),
          }
        : typeof addr === 'string'
          ? { text: addr }
          : undefined;
    return {
      name: str(node.name),
      description: str(node.description),
      url: str(node.url),
      size: str(node.numberOfEmployees),
      address,
      sameAs: [node.sameAs].flat().filter((s): s is string => typeof s === 'string'),
      foundingDate: str(node.foundingDate),
      sourceUrl: page.url,
    };
  }
  return {};
}

export async function buildDossier(input: DossierInput, deps: DossierDeps): Promise<Dossier> {
  const started = performance.now();
  const now = deps.now ?? (() => new Date());
  const sites = deps.sites ?? createSiteMap();
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const budget = AbortSignal.timeout(deps.maxTotalMs ?? DEFAULT_MAX_TOTAL_MS);
  const deadline = deps.signal ? AbortSignal.any([budget, deps.signal]) : budget;
  const fetchOpts: PageOptions = {
    ...deps.policy,
    userAgent: deps.userAgent,
    limits,
    cache: deps.cache,
    now,
    signal: deadline,
  };
  const robots = new RobotsGate({ robotsFor: (url) => sites.robotsFor(url) });
  const errors: DossierError[] = [];
  const notes: string[] = [];
  const pages: SourcePage[] = [];
  const pageInfo: Dossier['pages'] = [];
  let cacheHits = 0;
  let rendered = 0;

  const load = async (url: string, kind: PageKind): Promise<SourcePage | undefined> => {
    if (deadline.aborted) {
      errors.push({
        url,
        code: 'FETCH_FAILED',
        reason: 'time_limit',
        message: `${url}: not fetched, the dossier ran out of time`,
      });
      return undefined;
    }
    try {
      if (!(await robots.allowed(url, fetchOpts))) {
        errors.push({
          url,
          code: 'FETCH_SKIPPED',
          reason: 'robots',
          message: `${url}: robots.txt asks us not to fetch it`,
        });
        return undefined;
      }
      const fetched = await fetchPage(url, fetchOpts);
      if (fetched.fromCache) cacheHits++;
      if (fetched.stale)
        notes.push(`${url} did not answer; the copy fetched ${fetched.fetchedAt.toISOString().slice(0, 10)} was used.`);
      let parsed = parsePage(fetched.body, fetched.finalUrl);
      let wasRendered = fetched.rendered;
      if (!fetched.rendered && (input.needsBrowser || looksEmpty(parsed))) {
        if (deps.renderer) {
          try {
            const html = await deps.renderer.render(fetched.finalUrl, {
              ...deps.policy,
              userAgent: deps.userAgent,
              timeoutMs: limits.timeoutMs,
              maxBytes: limits.maxBytes,
            });
            parsed = parsePage(html, fetched.finalUrl);
            wasRendered = true;
            rendered++;
            const entry = await deps.cache.get(url);
            if (entry) await deps.cache.put({ ...entry, body: html, rendered: true });
          } catch (err) {
            errors.push(toDossierError(url, err)); // the static text still counts
          }
        } else if (deps.renderer === null && !notes.some((n) => n.startsWith('No Chromium'))) {
          notes.push('No Chromium is installed: pages that need script to render were read as static HTML only.');
        }
      }
      const page: SourcePage = { url, kind, fetchedAt: fetched.fetchedAt, parsed };
      pages.push(page);
      pageInfo.push({ url, title: parsed.title, kind, rendered: wasRendered, fromCache: fetched.fromCache });
      return page;
    } catch (err) {
      const e = toDossierError(url, err);
      errors.push(e);
      deps.log?.info({ url, code: e.code, reason: e.reason }, 'research.page.failed');
      return undefined;
    }
  };

  if (input.signal?.url) await load(sites.map(input.signal.url), 'signal');
  const homeUrl = input.homepageUrl ?? (input.domain ? sites.homepage(input.domain) : null);
  if (homeUrl) {
    const home = await load(homeUrl, 'home');
    if (home) {
      const picked = pickPages(
        home.parsed.links,
        homeUrl,
        sites.scopeOf(homeUrl),
        (deps.maxPages ?? DEFAULT_MAX_PAGES) - 1,
      );
      const limit = pLimit(3);
      await Promise.all(picked.map((p) => limit(() => load(p.url, p.kind))));
    }
  }
  const order: PageKind[] = ['signal', 'home', 'about', 'news', 'product', 'careers'];
  pages.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));

  const ctx: ExtractContext = { accountName: input.accountName, signalTitle: input.signal?.title };
  let facts: Fact[] = [];
  let factsDropped = 0;
  let llm: Dossier['stats']['llm'];
  if (deps.extractor && pages.length) {
    try {
      const r = await deps.extractor.extract(pages, ctx);
      facts = r.facts;
      factsDropped = r.dropped;
      llm = r.usage;
    } catch (err) {
      errors.push(toDossierError(undefined, err));
      notes.push('The LLM could not extract facts; the heuristic extractor was used instead.');
    }
  }
  const extractor = llm ? 'llm' : 'heuristic';
  if (!llm) facts = heuristicFacts(pages, ctx);

  const organization = organizationFrom(pages);
  const tz = chooseTimeZone({
    contactZone: input.contact?.timeZone,
    accountZone: input.accountTimeZone,
    address: organization.address,
    ownerZone: input.ownerTimeZone,
  });
  return {
    domain: input.domain ?? null,
    homepageUrl: homeUrl,
    organization,
    people: [
      ...(input.contact ? [{ role: 'contact' as const, ...input.contact }] : []),
      ...foundPeople(pages, input.contact?.name),
    ],
    facts,
    errors,
    notes,
    pages: pageInfo,
    contactTimeZone: tz.zone,
    timeZoneSource: tz.source,
    stats: {
      pagesFetched: pages.length,
      cacheHits,
      rendered,
      factsDropped,
      extractor,
      llm,
      flagged: facts.filter((f) => f.flags.length > 0).length,
      ms: Math.round(performance.now() - started),
    },
  };
}
