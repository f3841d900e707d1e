// The review queue's filters and the SQL pieces every queue statement shares: the age buckets,
// the queue's order, who may see a draft, and a filter's WHERE clause. Who may see a draft is part
// of every query: `viewer` null means the whole workspace (managers, RevOps, admins), else a rep's
// user id, who sees sequences they own or whose account they own.

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
export const BOUNDS = [
  `$2::timestamptz - interval '1 day'`,
  `$2::timestamptz - interval '7 days'`,
  `$2::timestamptz - interval '30 days'`,
];
export const ageOf = (hour: string, [d1, d7, d30] = BOUNDS) => `CASE WHEN ${hour} >= ${d1} THEN '1d'
                      WHEN ${hour} >= ${d7} THEN '7d'
                      WHEN ${hour} >= ${d30} THEN '30d' ELSE 'older' END`;
export const AGE_SQL = ageOf(`date_trunc('hour', s.signal_detected_at, 'UTC')`);

// Drafts a gate flagged come first (drafting/README.md): they need a closer read, not a quick
// approve. The signal's type and time are copied onto the sequence, so this order is one index
// (sequences_pending_review_idx) and a page is a walk that stops at the page.
export const QUEUE_ORDER = `s.flagged DESC, s.signal_detected_at DESC, s.signal_id DESC, s.id DESC`;

export const visible = (n: number) => `($${n}::bigint IS NULL OR s.owner_id = $${n} OR a.owner_id = $${n})`;

/**
 * Who may see a row, written for a viewer known when the text is built: for the whole workspace
 * the test is `$n IS NULL` alone, which the planner runs once per statement rather than per row,
 * so a generic plan costs what a custom one does (with the `OR` a generic plan had to price a
 * lookup of the account's owner for every row walked, and PostgreSQL re-planned every call).
 * For a rep, `rep` is the per-row test for their own drafts, given their id written into the text
 * (an integer from the session, never input): a generic plan then knows how many rows are theirs
 * as a custom one does, where with `$n` it assumed a few and PostgreSQL re-planned every call when
 * the rep owns most of the queue. `$n` stays in the text as a one-time check, so its value is typed.
 */
export const seenBy = (n: number, viewer: number | null, rep: (id: string) => string) => {
  if (viewer === null) return `$${n}::bigint IS NULL`;
  if (!Number.isSafeInteger(viewer)) throw new Error(`viewer must be a user id, not ${String(viewer)}`);
  return `($${n}::bigint = ${viewer} AND (${rep(String(viewer))}))`;
};

/** A rep's own draft, read from the draft's row (the account's owner only when the draft is not theirs). */
export const OWN_DRAFT = (id: string) =>
  `s.owner_id = ${id} OR (SELECT a.owner_id FROM accounts a WHERE a.id = s.account_id) = ${id}`;

export interface Cols {
  type: string;
  owner: string;
  age: string;
  flagged: string;
}
export const RAW: Cols = { type: 's.signal_type', owner: 's.owner_id', age: AGE_SQL, flagged: 's.flagged' };

/** The filter's clauses over `cols` (facet counts apply them in facetCounts, each without its own). */
export function where(f: QueueFilter, values: unknown[], cols: Cols): string {
  const parts: string[] = [];
  const add = (clause: (n: number) => string, v: unknown) => {
    values.push(v);
    parts.push(clause(values.length));
  };
  if (f.type) add((n) => `${cols.type} = $${n}`, f.type);
  if (f.ownerId) add((n) => `${cols.owner} = $${n}`, f.ownerId);
  if (f.age) add((n) => `${cols.age} = $${n}`, f.age);
  if (f.flagged) parts.push(cols.flagged);
  return parts.length ? ' AND ' + parts.join(' AND ') : '';
}

/** Drafts grouped by what the facets count (tens of rows): the counts' input. */
export interface FacetBase {
  type: string | null;
  owner_id: number | null;
  age: Age;
  flagged: boolean;
  n: number;
}

/** One value of one facet; `value` is null for drafts without one (no owner, no type). */
export interface FacetCount {
  facet: 'type' | 'owner' | 'age' | 'flagged' | 'total';
  value: string | null;
  n: number;
}

/**
 * The five facets, each summed under the filters other than its own (so a count says what
 * choosing that value would show), plus the total under all of them; values with no drafts left
 * out. Summed here from the grouped rows rather than in five more subqueries of the page's
 * statement, which cost more to plan than to run.
 */
export function facetCounts(base: readonly FacetBase[], f: QueueFilter): FacetCount[] {
  const keeps = (b: FacetBase, skip?: keyof QueueFilter) =>
    (!f.type || skip === 'type' || b.type === f.type) &&
    (!f.ownerId || skip === 'ownerId' || Number(b.owner_id) === f.ownerId) &&
    (!f.age || skip === 'age' || b.age === f.age) &&
    (!f.flagged || skip === 'flagged' || b.flagged);
  const facet = (name: FacetCount['facet'], value: (b: FacetBase) => string | null, skip?: keyof QueueFilter) => {
    const sums = new Map<string | null, number>();
    for (const b of base) {
      if (!keeps(b, skip)) continue;
      const v = value(b);
      sums.set(v, (sums.get(v) ?? 0) + Number(b.n));
    }
    return [...sums].filter(([, n]) => n > 0).map(([v, n]) => ({ facet: name, value: v, n }));
  };
  return [
    ...facet('type', (b) => b.type, 'type'),
    ...facet('owner', (b) => (b.owner_id === null ? null : String(b.owner_id)), 'ownerId'),
    ...facet('age', (b) => b.age, 'age'),
    ...facet('flagged', (b) => String(b.flagged), 'flagged'),
    ...facet('total', () => ''),
  ];
}
