// The dossier's shapes. A fact's `quote` is always a verbatim span of the page at `sourceUrl`.
import { z } from 'zod';
import type { LlmUsage } from '../llm/pricing.js';

export const FactKind = z.enum(['signal', 'company', 'product', 'news', 'hiring', 'organization', 'page']);
export type FactKind = z.infer<typeof FactKind>;

export const Fact = z.object({
  kind: FactKind,
  text: z.string().min(1),
  sourceUrl: z.string(),
  quote: z.string().min(1),
  fetchedAt: z.date(),
  /** e.g. `instruction_like`: the page text reads like orders to a machine; shown to the rep. */
  flags: z.array(z.string()),
});
export type Fact = z.infer<typeof Fact>;

/** Something that went wrong or was left out while building a dossier; stored in dossiers.errors. */
export interface DossierError {
  url?: string;
  code: string;
  /** Stable reason: timeout, too_large, redirects, status, network, blocked, robots, content_type, no_browser, time_limit, llm. */
  reason: string;
  message: string;
}

export interface Organization {
  name?: string;
  description?: string;
  url?: string;
  size?: string;
  address?: { locality?: string; region?: string; country?: string; text?: string };
  sameAs?: string[];
  foundingDate?: string;
  sourceUrl?: string;
}

export interface Person {
  role: 'contact';
  name: string;
  email: string;
  title: string;
  timeZone: string | null;
  previousCompany: string | null;
}

/** Someone a page names with a job title: shown to a rep who must pick a contact. */
export interface FoundPerson {
  role: 'found';
  name: string;
  title: string;
  sourceUrl: string;
  source: string;
}

export interface DossierStats {
  pagesFetched: number;
  cacheHits: number;
  rendered: number;
  factsDropped: number;
  flagged: number;
  extractor: 'llm' | 'heuristic';
  ms: number;
  llm?: LlmUsage;
}

export interface Dossier {
  domain: string | null;
  homepageUrl: string | null;
  organization: Organization;
  /** The contact first (when there is one), then people the pages name. */
  people: (Person | FoundPerson)[];
  facts: Fact[];
  errors: DossierError[];
  /** Plain notes for the rep, e.g. "no Chromium: static HTML only". */
  notes: string[];
  pages: { url: string; title: string; kind: PageKind; rendered: boolean; fromCache: boolean }[];
  contactTimeZone: string | null;
  timeZoneSource: 'contact' | 'account' | 'address' | 'owner' | null;
  stats: DossierStats;
}

export type PageKind = 'signal' | 'home' | 'about' | 'news' | 'careers' | 'product';
