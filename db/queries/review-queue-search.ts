// Searching the review queue: the search condition, the word query that narrows it through the
// word index, and the matching drafts a search reads once for its page and its counts.
import { AGE_SQL, OWN_DRAFT, seenBy, type Cols, type QueueFilter } from './review-queue-filter.js';

/**
 * Search over account, contact, signal title and step subjects: one column kept on the sequence
 * by triggers (migration 0029) behind one trigram index over pending drafts, stored lowercased
 * (0034) so a candidate is checked with LIKE, not ILIKE's lower() of every row. Returns the
 * condition, or nothing without a search.
 */
export function search(f: QueueFilter, values: unknown[]): string {
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
export function searchWalk(f: QueueFilter, values: unknown[]): string {
  values.push(f.q);
  return ` AND strpos(s.search_text, lower($${values.length})) > 0`;
}

// Matching drafts with what ordering and counting them needs, read from the draft's own row: one
// pass through the trigram index, no join per match (a rep's account owner only when the draft
// is not theirs), stopping after `cap` + 1 matches: a common word ("signal", a domain) matches
// thousands of drafts, and counting every one of them was the search's whole cost (issue 17).
export const MATCHES = (q: string, cap: number, viewer: number | null) => `matches AS MATERIALIZED (
  SELECT s.id, s.flagged, s.signal_detected_at, s.signal_id, s.signal_type AS type, s.owner_id, ${AGE_SQL} AS age
    FROM sequences s
   WHERE s.workspace_id = $1 AND s.status = 'pending_review' AND s.signal_id IS NOT NULL${q}
     AND ${seenBy(3, viewer, OWN_DRAFT)}
   LIMIT ${cap + 1}),
capped AS MATERIALIZED (SELECT count(*) > ${cap} AS over FROM matches)`;
export const MATCH_COLS: Cols = { type: 'm.type', owner: 'm.owner_id', age: 'm.age', flagged: 'm.flagged' };
