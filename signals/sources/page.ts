// Watched pages (newsroom, press, leadership/team): the extracted list is diffed against the
// last snapshot; what is new becomes items. The first poll only records the baseline.
// robots.txt is honoured. Pages that need script are rendered in Chromium.
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { decodeBody } from '../decode.js';
import { safeFetch } from '../fetch.js';
import { diffEntries, extractEntries, looksScriptRendered, type PageEntry } from '../../html/page-entries.js';
import { renderPage } from '../render.js';
import { robotsAllows } from '../robots.js';
import type { PollContext, PollResult, RawItem, SourceModule, SourceSpec } from '../types.js';

export const PageConfig = z.object({
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
export type PageConfig = z.infer<typeof PageConfig>;

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

async function poll(source: SourceSpec & { config: PageConfig }, ctx: PollContext): Promise<PollResult> {
  const url = source.url!;
  if (!(await robotsAllows(url, ctx.fetch))) {
    throw new AppError(
      'FETCH_BLOCKED',
      `robots.txt of ${new URL(url).host} does not allow fetching ${new URL(url).pathname}`,
      { details: { reason: 'robots' } },
    );
  }
  const c = source.config;
  let html: string;
  let finalUrl = url;
  let etag: string | null | undefined, lastModified: string | null | undefined;
  if (c.render === 'always') {
    if (!ctx.chromiumPath)
      throw new AppError('FETCH_FAILED', 'this page is set to render with a browser, but no Chromium is installed', {
        details: { reason: 'network' },
      });
    html = await renderPage(url, { ...ctx.fetch, executablePath: ctx.chromiumPath });
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
  if (!entries.length && c.render === 'auto' && ctx.chromiumPath && looksScriptRendered(html)) {
    html = await renderPage(url, { ...ctx.fetch, executablePath: ctx.chromiumPath });
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
