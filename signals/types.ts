// The shapes every source kind shares: what a poll returns and what an item looks like before
// classification and matching.
import type { z } from 'zod';
import type { Renderer } from '../net/browser.js';
import type { FetchOptions } from '../net/http.js';

export type SignalType = 'funding' | 'job_change' | 'news' | 'hiring' | 'acquisition' | 'manual' | 'inbound';
export type SignalStatus = 'new' | 'unmatched' | 'ambiguous' | 'cooldown' | 'dismissed';

/** One thing a source saw, as untrusted data. */
export interface RawItem {
  /** Stable within the source (guid, job id, link): used for observations and snapshots. */
  key: string;
  title: string;
  /** Plain text, no HTML. */
  summary: string;
  url: string | null;
  publishedAt: Date | null;
  /** Other URLs in the item (for domain matching). */
  links: string[];
  /** Set when the source already knows what it is (job boards, webhooks, pages of people). */
  type?: SignalType;
  subtype?: string;
  facts?: Record<string, unknown>;
  /** Set when the source belongs to one account (its own blog, newsroom or job board). */
  accountId?: number;
  contactId?: number;
  /** A company name the source states outright (webhook, job board). */
  company?: { name?: string; domain?: string };
}

/** A source row as a module sees it. */
export interface SourceSpec {
  id: number;
  workspaceId: number;
  kind: SourceKind;
  url: string | null;
  config: Record<string, unknown>;
  etag: string | null;
  lastModified: string | null;
  snapshot: unknown;
}

export interface PollResult {
  notModified: boolean;
  items: RawItem[];
  /** Stored for the next poll (pages, job boards); undefined leaves the old one. */
  snapshot?: unknown;
  etag?: string | null;
  lastModified?: string | null;
  finalUrl?: string;
}

export interface PollContext {
  fetch: FetchOptions;
  now: Date;
  /** Chromium behind the guard (net/browser.ts) for pages that need script; null when none is installed. */
  renderer?: Renderer | null;
}

/** One module per source kind; the registry maps kind → module. */
export interface SourceModule<C = Record<string, unknown>> {
  kind: SourceKind;
  label: string;
  /** Polled on an interval (feeds, pages, boards) or pushed (webhook, manual). */
  polled: boolean;
  config: z.ZodType<C>;
  /** Canonical URL to fetch, from what a person typed (e.g. a board page → its API). */
  normalizeUrl?(url: string): string;
  poll?(source: SourceSpec & { config: C }, ctx: PollContext): Promise<PollResult>;
}

export const SOURCE_KINDS = ['feed', 'page', 'greenhouse', 'lever', 'ashby', 'webhook', 'manual'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
