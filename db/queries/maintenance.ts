import type { Sql } from '../types.js';

export const deleteExpiredPages = (): Sql<{ url: string }> => ({
  text: `DELETE FROM page_cache WHERE expires_at < now() - interval '7 days' RETURNING url`,
  values: [],
});

export const ping = (): Sql<{ ok: number }> => ({ text: 'SELECT 1 AS ok', values: [] });

/**
 * Counter rows of the review queue (migrations 0013, 0043) that count nothing: a draft that left
 * review leaves its hour's and its day's rows at 0, and rows are otherwise never removed, so without this the facet counts
 * would read every hour that ever held a draft. A bump racing the delete is safe: the delete
 * re-checks `n = 0` on a row changed under it, and the trigger's INSERT … ON CONFLICT DO UPDATE
 * inserts afresh when the row it waited on was deleted.
 */
export const deleteEmptyQueueCounts = (): Sql<{ n: number }> => ({
  text: `WITH hours AS (DELETE FROM review_queue_counts WHERE n = 0 RETURNING 1),
          days AS (DELETE FROM review_queue_day_counts WHERE n = 0 RETURNING 1)
     SELECT (SELECT count(*) FROM hours)::int + (SELECT count(*) FROM days)::int AS n`,
  values: [],
});
