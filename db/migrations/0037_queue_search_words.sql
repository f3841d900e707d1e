-- Queue search by whole words first (issue 17 item 3). The trigram index (0029) answers any
-- substring, but a term like "Signal 12" or "Account 10007" is made of trigrams that every draft's
-- text holds ("sig", "acc", "cou"...): the index lookup alone read and intersected posting lists of
-- ~100k entries each at 100k pending (~26 ms of a 50 ms goal) before one row was checked.
-- This index keeps each pending draft's words: the runs of [a-z0-9] in its (lowercased) search
-- text. A term's word that the term itself bounds on both sides must be a whole word of a match,
-- one it bounds on the left only must begin one; the query asks this index for those words
-- (db/queries/review-queue.ts `wordQuery`) and still tests the term as a substring, so the
-- matches are exactly those of LIKE '%term%'. Terms without such a word use the trigram index.
-- Words of 256 characters or more are left out (a tsvector lexeme has a size limit; the query
-- never asks for them).
CREATE FUNCTION queue_search_words(t text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(ARRAY(
    SELECT DISTINCT w FROM regexp_split_to_table(t, '[^a-z0-9]+') w WHERE w <> '' AND length(w) < 256))
$$;

CREATE INDEX sequences_pending_search_words ON sequences USING gin (queue_search_words(search_text))
  WHERE status = 'pending_review';
