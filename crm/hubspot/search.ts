// The sync's search by last-modified time, ascending, in windows: HubSpot returns at most
// HUBSPOT_SEARCH_LIMIT results for one query, so the search restarts from the newest modified time
// read. Where it stands travels in the page token.
import type { ListCursor } from '../provider.js';
import { CrmError, isCrmError } from '../provider.js';
import type { HsObject, HsPage, HubSpotCall } from './call.js';

export type SearchFilter = { propertyName: string; operator: string; value?: string };

/** A record's modified time: the property (ms or ISO), else updatedAt; the epoch when unreadable. */
export const modified = (o: HsObject, prop: string) => {
  const v = o.properties[prop];
  const d = v ? new Date(/^\d+$/.test(v) ? Number(v) : v) : o.updatedAt ? new Date(o.updatedAt) : new Date(0);
  return Number.isNaN(d.getTime()) ? new Date(0) : d;
};

/**
 * Where a search by modified time stands, kept in the page token: the window's start (GTE, ms; null:
 * no time filter), the offset in it, the ids read at exactly the start before it restarted there
 * (skipped), and the newest modified time read so far with the ids read at it (the next restart).
 */
interface SearchWindow {
  s: number | null;
  o: number;
  x: string[];
  m: number | null;
  ids: string[];
}
const SEARCH_TOKEN = 'hsw:';

/** The cursor's window: ours, or a plain HubSpot offset (a cursor saved before windows) from `since`. */
export function readWindow(c: ListCursor): SearchWindow {
  if (c.after?.startsWith(SEARCH_TOKEN)) return JSON.parse(c.after.slice(SEARCH_TOKEN.length)) as SearchWindow;
  return { s: c.since ? c.since.getTime() : null, o: Number(c.after ?? 0) || 0, x: [], m: null, ids: [] };
}

/** The same search from the newest modified time read, skipping what was read at it. */
function restart(w: SearchWindow): SearchWindow {
  if (w.m === null || w.m === w.s)
    throw new CrmError(
      'invalid',
      "HubSpot's search returns a limited number of results and more records than that share one modified time " +
        `(${new Date(w.s ?? 0).toISOString()}): the sync cannot page past them`,
    );
  return { s: w.m, o: 0, x: w.ids, m: w.m, ids: w.ids };
}

/** What a search reads: the object, its modified-time property, other filters, properties, a page size. */
export interface SearchQuery {
  object: 'companies' | 'contacts';
  modifiedProp: string;
  filters: SearchFilter[];
  properties: string[];
  limit: number;
}

/**
 * One page of a search by modified time, ascending. HubSpot returns at most `searchLimit` results
 * for one query (paging past them answers 400), so before the next page would cross it the search
 * restarts from the newest modified time seen (GTE), skipping the ids already read at exactly that
 * time; a 400 on a later page (a lower cap than configured) restarts the same way.
 */
export async function searchWindow(
  call: HubSpotCall,
  searchLimit: number,
  q: SearchQuery,
  w: SearchWindow,
): Promise<HsPage> {
  const { object, modifiedProp, filters, properties, limit } = q;
  const since = w.s === null ? [] : [{ propertyName: modifiedProp, operator: 'GTE', value: String(w.s) }];
  const request = {
    filterGroups: [{ filters: [...since, ...filters.filter((f) => f.propertyName !== modifiedProp)] as never }],
    sorts: [modifiedProp],
    properties,
    limit,
    after: w.o ? String(w.o) : undefined,
  };
  let page: HsPage;
  try {
    page = await call((c) => c.crm[object].searchApi.doSearch(request as never));
  } catch (err) {
    if (!(isCrmError(err, 'invalid') && err.status === 400 && w.o > 0)) throw err;
    return searchWindow(call, searchLimit, q, restart(w));
  }
  const next: SearchWindow = { ...w, m: w.m, ids: [...w.ids] };
  for (const o of page.results) {
    const at = modified(o, modifiedProp).getTime();
    if (next.m === null || at > next.m) {
      next.m = at;
      next.ids = [o.id];
    } else if (at === next.m && !next.ids.includes(o.id)) next.ids.push(o.id);
  }
  const skip = new Set(w.x);
  const results = page.results.filter((o) => !(skip.has(o.id) && modified(o, modifiedProp).getTime() === w.s));
  const after = page.paging?.next?.after;
  if (!after) return { results };
  const offset = Number(after);
  const window = offset + limit > searchLimit ? restart(next) : { ...next, o: offset };
  return { results, paging: { next: { after: SEARCH_TOKEN + JSON.stringify(window) } } };
}
