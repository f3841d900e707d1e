// The reps' review queue: one page in queue order with its facet counts and the page's other
// blocks, in one statement. Filters and shared SQL are in review-queue-filter.ts, search in
// review-queue-search.ts, the next draft, neighbours, snooze and bulk approval in review-queue-nav.ts.
import { createHash } from 'node:crypto';
import type { Sql } from '../types.js';
import {
  AGE_SQL,
  BOUNDS,
  QUEUE_ORDER,
  RAW,
  SEARCH_CAP,
  OWN_DRAFT,
  ageOf,
  seenBy,
  where,
  type FacetBase,
  type QueueFilter,
  type QueueRow,
} from './review-queue-filter.js';
import { MATCHES, MATCH_COLS, search, searchWalk } from './review-queue-search.js';

export {
  AGES,
  SEARCH_CAP,
  SIGNAL_TYPES,
  facetCounts,
  type Age,
  type FacetBase,
  type FacetCount,
  type QueueFilter,
  type QueueRow,
} from './review-queue-filter.js';
export { wordQuery } from './review-queue-search.js';
export { draftsToApprove, nextInQueue, queueNeighbours, wakeSnoozed, type BulkApproveRow } from './review-queue-nav.js';

// A rep's own counter rows: theirs, or of an account they own.
const OWN_COUNTS = (id: string) => `c.owner_id = ${id} OR c.account_owner_id = ${id}`;

const FROM = (viewer: number | null) => `FROM sequences s
  JOIN signals sig ON sig.id = s.signal_id
  LEFT JOIN accounts a ON a.id = s.account_id
 WHERE s.workspace_id = $1 AND sig.workspace_id = $1 AND s.status = 'pending_review'
   AND ${seenBy(3, viewer, (id) => `s.owner_id = ${id} OR a.owner_id = ${id}`)}`;

// The page's columns, from `s` (the draft), `sig` and `a`.
const PAGE_COLS = `s.id, s.version, s.status, s.drafter, jsonb_array_length(s.gate_failures) AS gate_failure_count,
  s.owner_id, s.signal_id, s.signal_type, sig.title AS signal_title, s.signal_detected_at AS detected_at,
  s.account_id, a.name AS account_name, s.contact_id, s.flagged, ${AGE_SQL} AS age`;

interface Parts {
  ctes: string[];
  /** The page in queue order, every column of `QueueRow`. */
  list?: string;
  /** `FacetBase` rows: the pending drafts grouped by what the facets count. */
  counts?: string;
  values: unknown[];
}

/**
 * The queue's SQL in parts that share one parameter list, so the page, its counts and the
 * owners are one statement (`queuePage`), and a search reads its matches once for both.
 */
function queueParts(
  workspaceId: number,
  now: Date,
  viewer: number | null,
  f: QueueFilter,
  page: { limit: number; offset: number } | null,
  counts: boolean,
): Parts {
  const values: unknown[] = [workspaceId, now, viewer];
  const q = search(f, values);
  const cap = Math.max(0, Math.floor(f.cap ?? SEARCH_CAP));
  const ctes: string[] = [];
  // Every parameter pushed is referenced: PostgreSQL cannot type one that is not.
  let list: string | undefined;
  if (q) ctes.push(MATCHES(q, cap, viewer));
  if (page) {
    const w = where(f, values, q ? MATCH_COLS : RAW);
    // Written into the text, not parameters: a plan for an unknown LIMIT assumes it reads a tenth
    // of the queue and sorts it, where a page is a walk of the index that stops after 50 rows.
    const lim = Math.max(0, Math.floor(page.limit));
    const off = Math.max(0, Math.floor(page.offset));
    // Past the cap, the page walks the queue's order testing each draft's text (a common term
    // fills a page after a few hundred drafts); below it, the few matches are sorted. Only the
    // branch `capped` picks runs (a one-time filter).
    const walk = q ? searchWalk(f, values) + where(f, values, RAW) : '';
    const rows = q
      ? `SELECT ${PAGE_COLS}
           FROM (SELECT m.id FROM matches m WHERE true${w}
                  ORDER BY m.flagged DESC, m.signal_detected_at DESC, m.signal_id DESC, m.id DESC
                  LIMIT ${lim} OFFSET ${off}) k
           JOIN sequences s ON s.id = k.id
           JOIN signals sig ON sig.id = s.signal_id AND sig.workspace_id = $1
           LEFT JOIN accounts a ON a.id = s.account_id
          WHERE NOT (SELECT over FROM capped)
         UNION ALL
         (SELECT ${PAGE_COLS} ${FROM(viewer)}${walk} AND (SELECT over FROM capped)
           ORDER BY ${QUEUE_ORDER} LIMIT ${lim} OFFSET ${off})`
      : // The walk reads only the draft's own row (the account's owner only for a rep, only when
        // the draft is not theirs); the page's 50 rows are joined after it, not every row skipped
        // on the way to a deep page.
        `SELECT ${PAGE_COLS}
           FROM (SELECT s.id FROM sequences s
                  WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND s.signal_id IS NOT NULL${w}
                    AND ${seenBy(3, viewer, OWN_DRAFT)}
                  ORDER BY ${QUEUE_ORDER} LIMIT ${lim} OFFSET ${off}) k
           JOIN sequences s ON s.id = k.id
           JOIN signals sig ON sig.id = s.signal_id AND sig.workspace_id = $1
           LEFT JOIN accounts a ON a.id = s.account_id`;
    ctes.push(`page AS (${rows})`);
    list = `SELECT page.*, u.name AS owner_name, nullif(trim(c.first_name || ' ' || c.last_name), '') AS contact_name,
                   c.email AS contact_email,
                   (SELECT st.subject FROM sequence_steps st WHERE st.sequence_id = page.id ORDER BY st.position LIMIT 1) AS subject
              FROM page LEFT JOIN users u ON u.id = page.owner_id LEFT JOIN contacts c ON c.id = page.contact_id`;
  }
  if (!counts) return { ctes, list, values };
  ctes.push(
    q
      ? `base AS (SELECT type, owner_id, age, flagged, 1 AS n FROM matches)`
      : // The counter rows (migrations 0013, 0043), summed to the facets' own values (tens of
        // rows). A day that none of the three bucket ends falls in lies wholly in one bucket: its
        // day rows are read; the hour rows only for the (at most three) days an end falls in. The
        // bounds are computed once (MATERIALIZED keeps the planner from copying the interval
        // arithmetic into every row's test).
        `bounds AS MATERIALIZED (
         SELECT ${BOUNDS[0]} AS d1, ${BOUNDS[1]} AS d7, ${BOUNDS[2]} AS d30,
                ARRAY[${BOUNDS.map((b) => `date_trunc('day', ${b}, 'UTC')`).join(', ')}] AS ends),
       base AS MATERIALIZED (
         SELECT nullif(x.signal_type, '') AS type, nullif(x.owner_id, 0) AS owner_id,
                ${ageOf('x.at', ['b.d1', 'b.d7', 'b.d30'])} AS age, x.flagged, sum(x.n) AS n
           FROM bounds b, (
                SELECT c.signal_type, c.owner_id, c.flagged, c.detected_day AS at, c.n
                  FROM bounds b, review_queue_day_counts c
                 WHERE c.workspace_id = $1 AND c.n <> 0 AND NOT (c.detected_day = ANY (b.ends))
                   AND ${seenBy(3, viewer, OWN_COUNTS)}
                UNION ALL
                SELECT c.signal_type, c.owner_id, c.flagged, c.detected_hour, c.n
                  FROM (SELECT DISTINCT unnest(ends) AS day FROM bounds) e, review_queue_counts c
                 WHERE c.workspace_id = $1 AND c.detected_hour >= e.day AND c.detected_hour < e.day + interval '1 day'
                   AND c.n <> 0 AND ${seenBy(3, viewer, OWN_COUNTS)}) x
          GROUP BY 1, 2, 3, 4)`,
  );
  const grouped = `SELECT type, owner_id, age, flagged, n::int AS n FROM base`;
  return { ctes, list, counts: grouped, values };
}

const PAGE_ORDER = (t: string) => `${t}.flagged DESC, ${t}.detected_at DESC, ${t}.signal_id DESC, ${t}.id DESC`;

/**
 * One page of drafts waiting for review, flagged first, then newest signal first. No total here: counting every
 * match would stop the index walk from ending at the page; `queueCounts` gives the total.
 */
export function listQueue(
  workspaceId: number,
  now: Date,
  viewer: number | null,
  f: QueueFilter,
  limit: number,
  offset: number,
): Sql<QueueRow> {
  const p = queueParts(workspaceId, now, viewer, f, { limit, offset }, false);
  return { text: `WITH ${p.ctes.join(',\n')}\n${p.list!} ORDER BY ${PAGE_ORDER('page')}`, values: p.values };
}

/**
 * What the facet counts are summed from (`facetCounts`): the pending drafts grouped by type,
 * owner, age and flag. Without a search from the counter rows the triggers of migration 0013
 * keep (a few rows per hour of detection, whatever the queue's size); with one, from the
 * matching drafts (migration 0029's index), read once.
 */
export function queueCounts(workspaceId: number, now: Date, viewer: number | null, f: QueueFilter): Sql<FacetBase> {
  const p = queueParts(workspaceId, now, viewer, f, null, true);
  return { text: `WITH ${p.ctes.join(',\n')}\n${p.counts!}`, values: p.values };
}

/** What `queuePage` returns: JSON, so `detected_at` arrives as a string. */
export interface QueuePageRow {
  rows: (Omit<QueueRow, 'detected_at'> & { detected_at: string })[];
  /** What `facetCounts` sums. */
  counts: FacetBase[];
  owners: { id: number; name: string; email: string }[];
  /** A search matched more than its cap: the counts are of the first cap + 1 matches only. */
  capped: boolean;
  /** Each of `blocks`' rows, as JSON. */
  [block: string]: unknown[] | boolean;
}

/** `sql`'s text with its parameters numbered after `values`, which takes its values. */
function embed(sql: Sql<unknown>, values: unknown[]): string {
  const base = values.length;
  values.push(...sql.values);
  return sql.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + base}`);
}

/**
 * The queue page's data in one statement (one round trip, one snapshot): the page, the counts
 * per filter, the workspace's owners for the filter and any other `blocks` the page shows, each
 * as a JSON array under its name.
 */
export function queuePage(
  workspaceId: number,
  now: Date,
  viewer: number | null,
  f: QueueFilter,
  limit: number,
  offset: number,
  blocks: Record<string, Sql<unknown>> = {},
): Sql<QueuePageRow> {
  const p = queueParts(workspaceId, now, viewer, f, { limit, offset }, true);
  const more = Object.entries(blocks).map(
    ([name, sql]) => `,\n(SELECT coalesce(json_agg(b), '[]') FROM (${embed(sql, p.values)}) b) AS "${name}"`,
  );
  const text = `WITH ${p.ctes.join(',\n')}
           SELECT (SELECT coalesce(json_agg(r ORDER BY ${PAGE_ORDER('r')}), '[]') FROM (${p.list!}) r) AS rows,
                  (SELECT coalesce(json_agg(k), '[]') FROM (${p.counts!}) k) AS counts,
                  (SELECT coalesce(json_agg(o ORDER BY o.name, o.email), '[]')
                     FROM (SELECT id, name, email FROM users WHERE workspace_id = $1 AND disabled_at IS NULL) o) AS owners,
                  ${f.q ? '(SELECT over FROM capped)' : 'false'} AS capped${more.join('')}`;
  // The first page without a search has a few dozen texts (which filters are set, a rep or the
  // whole workspace): each is a named statement. With the page size and the viewer's kind in the
  // text, the generic plan costs what a custom one does, so after its first five calls on a
  // connection PostgreSQL stops planning it (issue 17: planning was 3-4 ms of a 10 ms statement).
  // Deeper pages and searches (the text grows with the offset, the words) are planned each call.
  const named = !f.q && offset === 0;
  return named ? { text, values: p.values, name: `prospector_queue_${shapeName(text)}` } : { text, values: p.values };
}

const shapeName = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 16);

/**
 * Other blocks of a page in one statement, each as a JSON array under its name: beside
 * `queuePage`, on a second connection, so the two run at once. With `name`, a named statement
 * (planned once per connection, where the blocks' planning cost more than running them): the
 * blocks' texts must then never change.
 */
export function pageBlocks(blocks: Record<string, Sql<unknown>>, name?: string): Sql<Record<string, unknown[]>> {
  const values: unknown[] = [];
  const cols = Object.entries(blocks).map(
    ([key, sql]) => `(SELECT coalesce(json_agg(b), '[]') FROM (${embed(sql, values)}) b) AS "${key}"`,
  );
  return { text: `SELECT ${cols.join(',\n')}`, values, ...(name ? { name } : {}) };
}
