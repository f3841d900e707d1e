// Watched pages (newsroom, press, leadership/team): the extracted list is diffed against the
// last snapshot; what is new becomes items. The first poll only records the baseline.
// robots.txt is honoured. Pages that need script are rendered in Chromium.
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { DEFAULT_LIMITS, safeFetch } from '../../net/http.js';
import { decodeBody } from '../../net/decode.js';
import { fetchError } from '../../net/errors.js';
import { RobotsGate } from '../../net/robots.js';
import { diffEntries, extractEntries, looksScriptRendered, type PageEntry } from '../../html/page-entries.js';
import type { PollContext, PollResult, RawItem, SourceModule, SourceSpec } from '../types.js';

const PageConfig = z.object({
  mode: z.enum(['links', 'people']).default('links'),
  itemSelector: z.string().max(500).optional(),
  titleSelector: z.string().max(500).optional(),
  roleSelector: z.string().max(500).optional(),
  /** 'auto' renders only when the static HTML looks script-built and lists nothing. */
  render: z.enum(['auto', 'always', 'never']).default('auto'),
  accountId: z.number().int().positive().optional(),
  /** Report what is already listed on the first poll instead of only recording it. */
  emitInitial: z.boolean().default(false),
  demo: z.boolean().optional(),
});
type PageConfig = z.infer<typeof PageConfig>;

interface PageSnapshot {
  entries: PageEntry[];
}

function toItem(e: PageEntry, change: 'added' | 'changed', accountId: number | undefined): RawItem {
  const base: RawItem = {
    key: e.key,
    title: e.title,
    summary: '',
    url: e.url,
    publishedAt: null,
    links: e.url ? [e.url] : [],
    accountId,
  };
  if (e.person === undefined) return base;
  // A new name on a leadership page, or a new title, is a job change at this company.
  return {
    ...base,
    type: 'job_change',
    subtype: change === 'added' ? 'joined' : 'new_title',
    facts: { person: e.person, newTitle: e.role ?? null },
  };
}

/** robots.txt of watched pages, asked again after an hour. */
export const pageRobots = new RobotsGate({ ttlMs: 60 * 60 * 1000 });

function render(url: string, ctx: PollContext): Promise<string> {
  if (!ctx.renderer)
    throw new AppError('FETCH_FAILED', 'this page needs a browser to render, but no Chromium is installed', {
      details: { reason: 'network' },
    });
  const f = ctx.fetch;
  return ctx.renderer.render(url, {
    allowPrivate: f.allowPrivate,
    allowPrefixes: f.allowPrefixes,
    userAgent: f.userAgent,
    timeoutMs: f.timeoutMs ?? 20_000,
    maxBytes: f.maxBytes ?? DEFAULT_LIMITS.maxBytes,
  });
}

async function poll(source: SourceSpec & { config: PageConfig }, ctx: PollContext): Promise<PollResult> {
  const url = source.url!;
  const f = ctx.fetch;
  const robotsFetch = { ...f, limits: { timeoutMs: f.timeoutMs } };
  if (!(await pageRobots.allowed(url, robotsFetch))) {
    throw fetchError('robots', `robots.txt of ${new URL(url).host} does not allow fetching ${new URL(url).pathname}`);
  }
  const c = source.config;
  let html: string;
  let finalUrl = url;
  let etag: string | null | undefined, lastModified: string | null | undefined;
  if (c.render === 'always') {
    html = await render(url, ctx);
  } else {
    const r = await safeFetch(url, {
      ...ctx.fetch,
      etag: source.etag,
      lastModified: source.lastModified,
      accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
    });
    if (r.notModified) return { notModified: true, items: [] };
    ({ etag, lastModified } = r);
    finalUrl = r.url;
    html = decodeBody(r.body, r.contentType);
  }
  let entries = extractEntries(html, finalUrl, c);
  if (!entries.length && c.render === 'auto' && ctx.renderer && looksScriptRendered(html)) {
    html = await render(url, ctx);
    entries = extractEntries(html, finalUrl, c);
  }
  const prev = (source.snapshot as PageSnapshot | null)?.entries ?? null;
  const { added, changed } =
    prev === null && c.emitInitial ? { added: entries, changed: [] } : diffEntries(prev, entries);
  const items = [
    ...added.map((e) => toItem(e, 'added', c.accountId)),
    ...changed.map((e) => toItem(e, 'changed', c.accountId)),
  ];
  // An empty list after a full one is a broken page or extraction, not everything removed:
  // keep the old snapshot so the next good poll does not report the whole list as new.
  const snapshot = entries.length || !prev ? ({ entries } satisfies PageSnapshot) : undefined;
  return { notModified: false, items, snapshot, etag, lastModified, finalUrl };
}

export const pageSource: SourceModule<PageConfig> = {
  kind: 'page',
  label: 'Watched page',
  polled: true,
  config: PageConfig,
  poll,
};
