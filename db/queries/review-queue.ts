// The reps' review queue: one page in queue order, facet counts, search, the next draft and a
// draft's neighbours, snooze wake-ups, and what a bulk approval lists. Who may see a draft is part
// of every query: `viewer` null means the whole workspace (managers, RevOps, admins), else a rep's
// user id, who sees sequences they own or whose account they own.
import type { Sql } from '../types.js';

export const SIGNAL_TYPES = ['funding', 'job_change', 'news', 'hiring', 'acquisition', 'manual', 'inbound'] as const;
export const AGES = ['1d', '7d', '30d', 'older'] as const;
export type Age = (typeof AGES)[number];

export interface QueueFilter {
  type?: string;
  ownerId?: number;
  age?: Age;
  flagged?: boolean;
  q?: string;
  /** How many matches of a search are counted (default SEARCH_CAP); tests set it low. */
  cap?: number;
}

/**
 * A search counts its matches up to this many. Past it the counts are not exact ("1,000+"), and
 * the page is read by walking the queue's order, which then finds a page of matches early.
 */
export const SEARCH_CAP = 1000;

export interface QueueRow {
  id: number;
  version: number;
  status: string;
  drafter: string | null;
  gate_failure_count: number;
  owner_id: number | null;
  owner_name: string | null;
  signal_id: number;
  signal_type: string;
  signal_title: string;
  detected_at: Date;
  account_id: number | null;
  account_name: string | null;
  contact_name: string | null;
  contact_email: string | null;
  subject: string | null;
  age: Age;
}

// Age buckets count back from `now`, passed in so tests and the bench use a fixed clock, by the
// hour of detection (UTC): the hour is what the counter rows keep (migration 0013).
const BOUNDS = [
  `$2::timestamptz - interval '1 day'`,
  `$2::timestamptz - interval '7 days'`,
  `$2::timestamptz - interval '30 days'`,
];
const ageOf = (hour: string, [d1, d7, d30] = BOUNDS) => `CASE WHEN ${hour} >= ${d1} THEN '1d'
                      WHEN ${hour} >= ${d7} THEN '7d'
                      WHEN ${hour} >= ${d30} THEN '30d' ELSE 'older' END`;
const AGE_SQL = ageOf(`date_trunc('hour', s.signal_detected_at, 'UTC')`);

// Drafts a gate flagged come first (drafting/README.md): they need a closer read, not a quick
// approve. The signal's type and time are copied onto the sequence, so this order is one index
// (sequences_pending_review_idx) and a page is a walk that stops at the page.
const QUEUE_ORDER = `s.flagged DESC, s.signal_detected_at DESC, s.signal_id DESC, s.id DESC`;

const visible = (n: number) => `($${n}::bigint IS NULL OR s.owner_id = $${n} OR a.owner_id = $${n})`;

interface Cols {
  type: string;
  owner: string;
  age: string;
  flagged: string;
}
const RAW: Cols = { type: 's.signal_type', owner: 's.owner_id', age: AGE_SQL, flagged: 's.flagged' };
const BASE: Cols = { type: 'type', owner: 'owner_id', age: 'age', flagged: 'flagged' };

/** The filters other than `skip` (so a count says what choosing that value would show). */
function where(f: QueueFilter, values: unknown[], cols: Cols, skip?: keyof QueueFilter): string {
  const parts: string[] = [];
  const add = (clause: (n: number) => string, v: unknown) => {
    values.push(v);
    parts.push(clause(values.length));
  };
  if (f.type && skip !== 'type') add((n) => `${cols.type} = $${n}`, f.type);
  if (f.ownerId && skip !== 'ownerId') add((n) => `${cols.owner} = $${n}`, f.ownerId);
  if (f.age && skip !== 'age') add((n) => `${cols.age} = $${n}`, f.age);
  if (f.flagged && skip !== 'flagged') parts.push(cols.flagged);
  return parts.length ? ' AND ' + parts.join(' AND ') : '';
}

/**
 * Search over account, contact, signal title and step subjects: one column kept on the sequence
 * by triggers (migration 0029) behind one trigram index over pending drafts, stored lowercased
 * (0034) so a candidate is checked with LIKE, not ILIKE's lower() of every row. Returns the
 * condition, or nothing without a search.
 */
function search(f: QueueFilter, values: unknown[]): string {
  if (!f.q) return '';
  const words = wordQuery(f.q);
  if (words) {
    // The word index (0037) narrows; the substring test keeps LIKE's matches, written so the
    // planner does not also read the trigram index for it.
    values.push(words);
    const n = values.length;
    values.push(f.q);
    return ` AND queue_search_words(s.search_text) @@ $${n}::tsquery AND strpos(s.search_text, lower($${values.length})) > 0`;
  }
  values.push(`%${f.q.replace(/[\\%_]/g, (m) => '\\' + m)}%`);
  return ` AND s.search_text LIKE lower($${values.length})`;
}

/**
 * What every text containing `q` has in the word index of migration 0037 (words are the runs of
 * [a-z0-9] of the lowercased text), as a tsquery, or null when `q` says nothing it can serve. A
 * word of `q` with a separator on both sides (within `q`) is a whole word of any text holding `q`;
 * one with a separator only before it begins a word (a prefix query); the first word, with none
 * before it, may end a longer word and is not asked for. Only ASCII terms: lowercasing elsewhere
 * could differ between JavaScript and the database. Words of one character are left out (a prefix
 * query on them reads a good part of the index), as are those the index leaves out.
 */
export function wordQuery(q: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(q)) return null;
  const t = q.toLowerCase();
  const parts: string[] = [];
  for (const m of t.matchAll(/[a-z0-9]+/g)) {
    const start = m.index,
      end = start + m[0].length;
    if (start === 0 || m[0].length < 2 || m[0].length >= 256) continue;
    parts.push(end < t.length ? `'${m[0]}'` : `'${m[0]}':*`);
  }
  return parts.length ? parts.join(' & ') : null;
}

/** The same test as `search` as a plain substring test, which the planner cannot serve from the trigram index. */
function searchWalk(f: QueueFilter, values: unknown[]): string {
  values.push(f.q);
  return ` AND strpos(s.search_text, lower($${values.length})) > 0`;
}

const FROM = `FROM sequences s
  JOIN signals sig ON sig.id = s.signal_id
  LEFT JOIN accounts a ON a.id = s.account_id
 WHERE s.workspace_id = $1 AND sig.workspace_id = $1 AND s.status = 'pending_review' AND ${visible(3)}`;

// The page's columns, from `s` (the draft), `sig` and `a`.
const PAGE_COLS = `s.id, s.version, s.status, s.drafter, jsonb_array_length(s.gate_failures) AS gate_failure_count,
  s.owner_id, s.signal_id, s.signal_type, sig.title AS signal_title, s.signal_detected_at AS detected_at,
  s.account_id, a.name AS account_name, s.contact_id, s.flagged, ${AGE_SQL} AS age`;

// Matching drafts with what ordering and counting them needs, read from the draft's own row: one
// pass through the trigram index, no join per match (a rep's account owner only when the draft
// is not theirs), stopping after `cap` + 1 matches: a common word ("signal", a domain) matches
// thousands of drafts, and counting every one of them was the search's whole cost (issue 17).
const MATCHES = (q: string, cap: number) => `matches AS MATERIALIZED (
  SELECT s.id, s.flagged, s.signal_detected_at, s.signal_id, s.signal_type AS type, s.owner_id, ${AGE_SQL} AS age
    FROM sequences s
   WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND s.signal_id IS NOT NULL${q}
     AND ($3::bigint IS NULL OR s.owner_id = $3 OR (SELECT a.owner_id FROM accounts a WHERE a.id = s.account_id) = $3)
   LIMIT ${cap + 1}),
capped AS MATERIALIZED (SELECT count(*) > ${cap} AS over FROM matches)`;
const MATCH_COLS: Cols = { type: 'm.type', owner: 'm.owner_id', age: 'm.age', flagged: 'm.flagged' };

interface Parts {
  ctes: string[];
  /** The page in queue order, every column of `QueueRow`. */
  list?: string;
  /** `{ facet, value, n }` rows. */
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
  if (q) ctes.push(MATCHES(q, cap));
  if (page) {
    const w = where(f, values, q ? MATCH_COLS : RAW);
    values.push(page.limit, page.offset);
    const [lim, off] = [values.length - 1, values.length];
    // Past the cap, the page walks the queue's order testing each draft's text (a common term
    // fills a page after a few hundred drafts); below it, the few matches are sorted. Only the
    // branch `capped` picks runs (a one-time filter).
    const walk = q ? searchWalk(f, values) + where(f, values, RAW) : '';
    const rows = q
      ? `SELECT ${PAGE_COLS}
           FROM (SELECT m.id FROM matches m WHERE true${w}
                  ORDER BY m.flagged DESC, m.signal_detected_at DESC, m.signal_id DESC, m.id DESC
                  LIMIT $${lim} OFFSET $${off}) k
           JOIN sequences s ON s.id = k.id
           JOIN signals sig ON sig.id = s.signal_id AND sig.workspace_id = $1
           LEFT JOIN accounts a ON a.id = s.account_id
          WHERE NOT (SELECT over FROM capped)
         UNION ALL
         (SELECT ${PAGE_COLS} ${FROM}${walk} AND (SELECT over FROM capped)
           ORDER BY ${QUEUE_ORDER} LIMIT $${lim} OFFSET $${off})`
      : // The walk reads only the draft's own row (the account's owner only for a rep, only when
        // the draft is not theirs); the page's 50 rows are joined after it, not every row skipped
        // on the way to a deep page.
        `SELECT ${PAGE_COLS}
           FROM (SELECT s.id FROM sequences s
                  WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND s.signal_id IS NOT NULL${w}
                    AND ($3::bigint IS NULL OR s.owner_id = $3 OR (SELECT a.owner_id FROM accounts a WHERE a.id = s.account_id) = $3)
                  ORDER BY ${QUEUE_ORDER} LIMIT $${lim} OFFSET $${off}) k
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
      : // The counter rows (one per type, owner, account owner, flag and hour of detection: thousands)
        // summed once to the facets' own values (tens), which the five facets then read.
        // The age buckets' bounds are computed once (OFFSET 0 keeps the planner from copying
        // the interval arithmetic back into every row's CASE).
        `base AS MATERIALIZED (
         SELECT nullif(c.signal_type, '') AS type, nullif(c.owner_id, 0) AS owner_id,
                ${ageOf('c.detected_hour', ['b.d1', 'b.d7', 'b.d30'])} AS age, c.flagged, sum(c.n) AS n
           FROM (SELECT ${BOUNDS[0]} AS d1, ${BOUNDS[1]} AS d7, ${BOUNDS[2]} AS d30 OFFSET 0) b,
                review_queue_counts c
          WHERE c.workspace_id = $1 AND c.n <> 0 AND ($3::bigint IS NULL OR c.owner_id = $3 OR c.account_owner_id = $3)
          GROUP BY 1, 2, 3, 4)`,
  );
  return { ctes, list, counts: facets(f, values), values };
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

/** The five facets of `base` (type, owner_id, age, flagged, n), each under the other filters. */
function facets(f: QueueFilter, values: unknown[]): string {
  const part = (facet: string, expr: string, skip?: keyof QueueFilter) =>
    `SELECT '${facet}' AS facet, (${expr})::text AS value, sum(n)::int AS n FROM base
      WHERE true${where(f, values, BASE, skip)} GROUP BY 2 HAVING sum(n) > 0`;
  return [
    part('type', 'type', 'type'),
    part('owner', 'owner_id', 'ownerId'),
    part('age', 'age', 'age'),
    part('flagged', 'flagged', 'flagged'),
    part('total', `''`),
  ].join('\nUNION ALL\n');
}

/**
 * Counts per filter value, each with the other filters applied, plus the total with all of
 * them: `{ facet, value, n }` rows. Without a search they come from the counter rows the
 * triggers of migration 0013 keep (a few rows per hour of detection, whatever the queue's
 * size); with one, from the matching drafts (migration 0029's index), read once and grouped five ways.
 */
export function queueCounts(
  workspaceId: number,
  now: Date,
  viewer: number | null,
  f: QueueFilter,
): Sql<{ facet: string; value: string; n: number }> {
  const p = queueParts(workspaceId, now, viewer, f, null, true);
  return { text: `WITH ${p.ctes.join(',\n')}\n${p.counts!}`, values: p.values };
}

/** What `queuePage` returns: JSON, so `detected_at` arrives as a string. */
export interface QueuePageRow {
  rows: (Omit<QueueRow, 'detected_at'> & { detected_at: string })[];
  counts: { facet: string; value: string | null; n: number }[];
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
  return {
    text: `WITH ${p.ctes.join(',\n')}
           SELECT (SELECT coalesce(json_agg(r ORDER BY ${PAGE_ORDER('r')}), '[]') FROM (${p.list!}) r) AS rows,
                  (SELECT coalesce(json_agg(k), '[]') FROM (${p.counts!}) k) AS counts,
                  (SELECT coalesce(json_agg(o ORDER BY o.name, o.email), '[]')
                     FROM (SELECT id, name, email FROM users WHERE workspace_id = $1 AND disabled_at IS NULL) o) AS owners,
                  ${f.q ? '(SELECT over FROM capped)' : 'false'} AS capped${more.join('')}`,
    values: p.values,
  };
}

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

/** Returns snoozed drafts whose time has come to the queue (the maintenance tick; GET never writes). */
export const wakeSnoozed = (workspaceId: number | null, now: Date): Sql => ({
  text: `UPDATE sequences SET status = 'pending_review', snoozed_until = NULL, updated_at = now()
          WHERE ($1::bigint IS NULL OR workspace_id = $1) AND status = 'snoozed' AND snoozed_until <= $2 RETURNING id`,
  values: [workspaceId, now],
});

/** The draft the reviewer sees after `afterId` in queue order (flagged first, then newest signal), or the first. */
export const nextInQueue = (workspaceId: number, viewer: number | null, exclude: number[]): Sql<{ id: number }> => ({
  text: `SELECT s.id FROM sequences s JOIN signals sig ON sig.id = s.signal_id LEFT JOIN accounts a ON a.id = s.account_id
          WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND ${visible(2)} AND NOT (s.id = ANY($3::bigint[]))
          ORDER BY ${QUEUE_ORDER} LIMIT 1`,
  values: [workspaceId, viewer, exclude],
});

const KEY = `(s.flagged, s.signal_detected_at, s.signal_id, s.id)`;
const PENDING = `FROM sequences s JOIN signals sig ON sig.id = s.signal_id LEFT JOIN accounts a ON a.id = s.account_id
  WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND ${visible(2)}`;

/**
 * Neighbours of a draft in queue order, for j/k: one step each way from the draft's own place
 * in the queue's index (every key column runs the same way), not a window over the whole queue.
 * No row when the draft is not in the viewer's queue.
 */
export const queueNeighbours = (
  workspaceId: number,
  viewer: number | null,
  id: number,
): Sql<{ prev_id: number | null; next_id: number | null }> => ({
  text: `WITH cur AS (SELECT s.flagged AS f, s.signal_detected_at AS d, s.signal_id AS g, s.id ${PENDING} AND s.id = $3)
         SELECT (SELECT s.id ${PENDING} AND ${KEY} > (cur.f, cur.d, cur.g, cur.id)
                  ORDER BY s.flagged, s.signal_detected_at, s.signal_id, s.id LIMIT 1) AS prev_id,
                (SELECT s.id ${PENDING} AND ${KEY} < (cur.f, cur.d, cur.g, cur.id) ORDER BY ${QUEUE_ORDER} LIMIT 1) AS next_id
           FROM cur`,
  values: [workspaceId, viewer, id],
});

export interface BulkApproveRow {
  id: number;
  signal_title: string | null;
  account_name: string | null;
  contact_name: string;
  contact_email: string | null;
  subject: string | null;
}

/** What a bulk approval will start, listed on its confirmation page. */
export const draftsToApprove = (workspaceId: number, ids: number[]): Sql<BulkApproveRow> => ({
  text: `SELECT s.id, sig.title AS signal_title, a.name AS account_name,
                trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) AS contact_name,
                c.email AS contact_email,
                (SELECT st.subject FROM sequence_steps st WHERE st.sequence_id = s.id ORDER BY st.position LIMIT 1) AS subject
           FROM sequences s
           LEFT JOIN signals sig ON sig.id = s.signal_id
           LEFT JOIN accounts a ON a.id = s.account_id
           LEFT JOIN contacts c ON c.id = s.contact_id
          WHERE s.workspace_id = $1 AND s.id = ANY($2::bigint[])
          ORDER BY s.id`,
  values: [workspaceId, ids],
});
